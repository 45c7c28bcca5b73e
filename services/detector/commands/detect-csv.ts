/**
 * `vigil detect`'s core: CSV lines in, the same lines with an `anomaly_score` column out, one line
 * at a time. A row's score comes from a series scorer that has seen only the rows before it, so
 * cutting the input after row k leaves the first k scores unchanged. State is the scorer's plus at
 * most one quoted record that runs over several lines (capped). No I/O, no clock.
 */
import { VigilError } from '../../../src/errors.js';
import type { SeriesScorerOptions } from '../engine/series-scorer.js';

/** The part of a SeriesScorer `vigil detect` uses, so the bench can run its baseline through the same code. */
export interface PointScorer {
  push(timestampMs: number, value: number): { score: number };
}

export type CreatePointScorer = (options?: SeriesScorerOptions) => PointScorer;

export interface DetectCsvOptions {
  createScorer: CreatePointScorer;
  scorerOptions?: SeriesScorerOptions;
  /** A quoted field may span lines; a record longer than this (in characters) is an error rather than unbounded memory. */
  maxRecordChars?: number;
}

export interface DetectCsvStats {
  /** Records after the header (blank lines are not records). */
  rows: number;
  /** Rows whose value was empty or not a finite number: pushed as NaN (a missing point), scored 0. */
  badValues: number;
  /** Rows whose timestamp was neither ISO 8601 nor an epoch number: not pushed, scored 0. */
  badTimestamps: number;
  /** Scores the scorer returned outside [0, 1] (or NaN), written clamped. */
  clampedScores: number;
}

export interface CsvDetector {
  /**
   * One input line without its line break. Returns the output for it without a line break: the
   * header or the row with `,anomaly_score` appended, '' for a blank line, or undefined while a
   * quoted field continues on the next line (the whole record comes out once it closes).
   */
  push(line: string): string | undefined;
  /** End of input: throws if there was no header or a quoted field never closed. */
  end(): void;
  readonly stats: DetectCsvStats;
}

export const scoreColumn = 'anomaly_score';

/** Epoch numbers below this are seconds, above milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973-03-03. */
export const epochSecondsBelow = 1e11;

const defaultMaxRecordChars = 1 << 16;
const numberPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const isoPattern = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function badInput(message: string): VigilError {
  return new VigilError('VIGIL_DECODE', message);
}

/** A value cell as a number; NaN when empty or not a plain decimal number (hex, '1,5', 'n/a'). */
export function parseValue(text: string): number {
  const trimmed = text.trim();
  return numberPattern.test(trimmed) ? Number(trimmed) : NaN;
}

/**
 * A timestamp cell in epoch milliseconds; NaN when unreadable. ISO 8601 dates and date-times
 * (`2016-07-25T00:05:00Z`, `2016-07-25 00:05:00.5+08:00`, `2016-07-25`); without an offset they are
 * UTC, never the machine's zone. A plain number is epoch seconds below 1e11, else milliseconds.
 */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  if (numberPattern.test(trimmed)) {
    const epoch = Number(trimmed);
    return Math.abs(epoch) < epochSecondsBelow ? epoch * 1000 : epoch;
  }
  const iso = isoPattern.exec(trimmed);
  if (!iso) return NaN;
  const [, date, time, zone] = iso;
  if (time === undefined) return Date.parse(`${date}T00:00:00Z`);
  let offset = zone === undefined ? 'Z' : zone.toUpperCase();
  if (/^[+-]\d{2}$/.test(offset)) offset += ':00';
  else if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  return Date.parse(`${date}T${time.replace(',', '.')}${offset}`);
}

interface ParsedRecord {
  /** False when a quoted field is still open at the end of the text. */
  complete: boolean;
  fieldCount: number;
  first: string;
  second: string | undefined;
}

/** RFC 4180 fields, leniently: `""` inside quotes is a quote; text after a closing quote or a quote inside an unquoted field is kept as is. */
function parseRecord(text: string): ParsedRecord {
  if (!text.includes('"')) {
    // The common case: no quoting, just commas.
    const firstComma = text.indexOf(',');
    if (firstComma < 0) return { complete: true, fieldCount: 1, first: text, second: undefined };
    const secondComma = text.indexOf(',', firstComma + 1);
    let fieldCount = 2;
    for (let at = secondComma; at >= 0; at = text.indexOf(',', at + 1)) fieldCount++;
    return { complete: true, fieldCount, first: text.slice(0, firstComma), second: text.slice(firstComma + 1, secondComma < 0 ? undefined : secondComma) };
  }
  const fields: string[] = [];
  let fieldCount = 0;
  let current = '';
  let atFieldStart = true;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    // Only the first two fields' text is needed; the others are counted.
    const keep = fieldCount < 2;
    if (inQuotes) {
      if (c !== '"') {
        if (keep) current += c;
      } else if (text[i + 1] === '"') {
        if (keep) current += '"';
        i++;
      } else inQuotes = false;
    } else if (c === ',') {
      if (fieldCount < 2) fields.push(current);
      fieldCount++;
      current = '';
      atFieldStart = true;
      continue;
    } else if (c === '"' && atFieldStart) inQuotes = true;
    else if (keep) current += c;
    atFieldStart = false;
  }
  if (fieldCount < 2) fields.push(current);
  return { complete: !inQuotes, fieldCount: fieldCount + 1, first: fields[0]!, second: fields[1] };
}

const columnName = (cell: string): string => cell.trim().toLowerCase();

export function createCsvDetector(options: DetectCsvOptions): CsvDetector {
  const maxRecordChars = options.maxRecordChars ?? defaultMaxRecordChars;
  const stats: DetectCsvStats = { rows: 0, badValues: 0, badTimestamps: 0, clampedScores: 0 };
  let scorer: PointScorer | undefined;
  let headerFields = 0;
  let lineNumber = 0;
  /** A record whose quoted field runs on: its text so far and the line it started on. */
  let pending: { text: string; startLine: number } | undefined;

  function header(text: string, parsed: ParsedRecord, startLine: number): string {
    const columns = `${parsed.first},${parsed.second ?? ''}`;
    if (columnName(parsed.first) !== 'timestamp' || parsed.second === undefined || columnName(parsed.second) !== 'value') {
      throw badInput(`line ${startLine}: the header's first two columns must be timestamp,value (got ${JSON.stringify(parsed.second === undefined ? parsed.first : columns)})`);
    }
    headerFields = parsed.fieldCount;
    scorer = options.createScorer(options.scorerOptions);
    return `${text},${scoreColumn}`;
  }

  function row(text: string, parsed: ParsedRecord, activeScorer: PointScorer): string {
    stats.rows++;
    const timestampMs = parseTimestamp(parsed.first);
    const value = parsed.second === undefined ? NaN : parseValue(parsed.second);
    let score = 0;
    if (Number.isNaN(timestampMs)) stats.badTimestamps++;
    else {
      const verdict = activeScorer.push(timestampMs, value);
      if (!Number.isFinite(value)) stats.badValues++;
      else if (verdict.score >= 0 && verdict.score <= 1) score = verdict.score;
      else {
        stats.clampedScores++;
        score = verdict.score > 1 ? 1 : 0;
      }
    }
    // A short row gets empty cells so the score lands under its header.
    const padding = parsed.fieldCount < headerFields ? ','.repeat(headerFields - parsed.fieldCount) : '';
    return `${text}${padding},${String(score)}`;
  }

  return {
    stats,
    push(line) {
      lineNumber++;
      if (lineNumber === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      let text = line;
      let startLine = lineNumber;
      if (pending) {
        text = `${pending.text}\n${line}`;
        startLine = pending.startLine;
        pending = undefined;
      } else if (line === '' && scorer) return '';
      const parsed = parseRecord(text);
      if (!parsed.complete) {
        if (text.length > maxRecordChars) throw badInput(`line ${startLine}: a quoted field is still open after ${text.length} characters`);
        pending = { text, startLine };
        return undefined;
      }
      return scorer ? row(text, parsed, scorer) : header(text, parsed, startLine);
    },
    end() {
      if (pending) throw badInput(`line ${pending.startLine}: a quoted field never closed`);
      if (!scorer) throw badInput('no header: expected a first line starting timestamp,value');
    },
  };
}
