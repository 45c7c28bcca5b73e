/** `vigil detect`: score a CSV series offline, streaming, with the same engine the detector runs. */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { VigilError } from '../../../src/errors.js';
import { createSeriesScorer } from '../engine/create-series-scorer.js';
import { createCsvDetector, scoreColumn, type CreatePointScorer } from './detect-csv.js';

/** Output is written in chunks of about this many characters, and whenever input stops arriving. */
const flushChars = 1 << 16;

export interface DetectRun {
  /** A file path, or '-' for `input`. */
  file: string;
  /** Names the series in messages. */
  metric?: string;
  createScorer: CreatePointScorer;
  input: Readable;
  output: Writable;
  errors: Writable;
}

/** Streams FILE through the CSV detector to `output`; returns the exit code (0, or 2 for input that is not a timestamp,value CSV). */
export async function runDetect(run: DetectRun): Promise<number> {
  const name = run.metric === undefined ? run.file : `${run.metric} (${run.file})`;
  const source = run.file === '-' ? run.input : createReadStream(run.file);
  if (source !== run.input) {
    try {
      await once(source, 'open');
    } catch (error) {
      run.errors.write(`vigil detect: cannot read ${run.file}: ${(error as Error).message}\n`);
      return 2;
    }
  }

  const detector = createCsvDetector({ createScorer: run.createScorer });
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let buffered = '';
  let flushScheduled = false;
  let outputClosed = false;
  run.output.on('error', () => {
    // EPIPE (e.g. `| head`): nobody reads any more, stop quietly.
    outputClosed = true;
    lines.close();
    source.destroy();
  });
  const flush = async (): Promise<void> => {
    flushScheduled = false;
    if (buffered === '' || outputClosed) return;
    const chunk = buffered;
    buffered = '';
    if (!run.output.write(chunk)) await once(run.output, 'drain').catch(() => undefined);
  };

  try {
    for await (const line of lines) {
      const out = detector.push(line);
      if (out === undefined) continue;
      buffered += `${out}\n`;
      if (buffered.length >= flushChars) await flush();
      else if (!flushScheduled) {
        // Runs once the lines already read are done, so a slow pipe (tail -f | vigil detect -) is answered line by line.
        flushScheduled = true;
        setImmediate(() => void flush());
      }
    }
    if (outputClosed) return 0;
    detector.end();
    await flush();
  } catch (error) {
    await flush();
    if (error instanceof VigilError && error.code === 'VIGIL_DECODE') {
      run.errors.write(`vigil detect: ${name}: ${error.message}\n`);
      return 2;
    }
    if (typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      // The input failed after it opened (a directory, an I/O error): what was read is out, the rest is not.
      run.errors.write(`vigil detect: cannot read ${run.file}: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  } finally {
    if (source !== run.input) source.destroy();
  }
  const { rows, badValues, badTimestamps, clampedScores } = detector.stats;
  if (badValues > 0) run.errors.write(`vigil detect: ${name}: ${badValues} of ${rows} rows had an empty or non-numeric value (scored 0)\n`);
  if (badTimestamps > 0) run.errors.write(`vigil detect: ${name}: ${badTimestamps} of ${rows} rows had an unreadable timestamp (scored 0, not given to the scorer)\n`);
  if (clampedScores > 0) run.errors.write(`vigil detect: ${name}: the scorer returned ${clampedScores} scores outside [0, 1] (clamped)\n`);
  return 0;
}

export function registerDetectorCommands(program: Command): void {
  program
    .command('detect')
    .argument('<file>', "a CSV file, or - to read standard input")
    .option('--metric <name>', 'the series name used in messages (e.g. node_memory_working_set_bytes)')
    .description(`score one series offline: print FILE with a column ${scoreColumn} in [0, 1] appended to every row`)
    .addHelpText(
      'after',
      `
Input: a CSV whose header's first two columns are timestamp,value (any case, quoted or not, a
UTF-8 BOM is dropped); other columns (e.g. label) are passed through untouched. Timestamps are
ISO 8601 (2016-07-25T00:05:00Z; without an offset they are UTC) or epoch numbers: below 1e11
they are seconds, above milliseconds (1e11 s is the year 5138, 1e11 ms is 1973).

Output: every input row, in order, with the same text and ,${scoreColumn} appended (a row with
fewer columns than the header is padded so the score sits under its header); blank lines stay
blank; line breaks are \\n. Scores are printed at full precision. Rows whose value is empty or not a
number, or whose timestamp is unreadable, still get a row, scored 0 (counted on stderr).

Streaming: a row's score depends only on the rows before it and itself (cut the file after row k
and the first k scores do not change); memory stays bounded whatever the file's size.

Exit codes: 0 done; 2 the file cannot be read or is not a timestamp,value CSV (a bad header, or a
quoted field that never closes).

Example: vigil detect test/fixtures/kpi/cpu4.csv > cpu4.scored.csv`,
    )
    .action(async (file: string, options: { metric?: string }) => {
      process.exitCode = await runDetect({
        file,
        metric: options.metric,
        createScorer: createSeriesScorer,
        input: process.stdin,
        output: process.stdout,
        errors: process.stderr,
      });
    });
}
