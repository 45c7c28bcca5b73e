/**
 * A capture made by `vigil capture` read back into a scene: DIR/0 and DIR/1 collected with the
 * collector's own sources at the times meta.json gives (as `vigil replay DIR` does), the kernel
 * events of DIR/dmesg.txt, every sample stamped with its copy's time. What is absent or unreadable
 * is listed in `missing` instead of failing: a partial capture still gets a partial diagnosis.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SceneSample } from '../../../src/codec/records.generated.js';
import type { CaptureMeta } from '../../collector/commands/capture.js';
import type { CollectorConfig } from '../../collector/collector-config.js';
import { rootsUnder, setUpCollector } from '../../collector/collector-setup.js';
import { createCollector } from '../../collector/collector.js';
import { createHostFiles, type HostFiles } from '../../collector/host-files.js';

export interface CaptureScene {
  /** meta.host, or the directory name when meta.json is missing. */
  host: string;
  /** Time of the latest copy read. */
  latestMs: number;
  samples: SceneSample[];
  /** Copies read, with their times. */
  copies: { directory: string; timestampMs: number; samples: number }[];
  /** What the capture lacks, in words: "1/: absent (one snapshot: no rates)", "dmesg.txt: …". */
  missing: string[];
  /** Problems the collector reported reading the copies (truncated files, …). */
  problems: string[];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function readMeta(directory: string): Promise<Partial<CaptureMeta> | string> {
  try {
    return JSON.parse(await readFile(join(directory, 'meta.json'), 'utf8')) as Partial<CaptureMeta>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'absent' : `unreadable (${code ?? (error as Error).message})`;
  }
}

/**
 * `vigil capture` copies only what a cycle read, and it reads no kernel log, so a copy has no
 * proc/uptime and kernel events could not be dated. Served from the copy's proc/stat btime instead
 * (whole seconds), so each event gets its kernel_<kind>_timestamp_seconds as live.
 */
function withUptime(files: HostFiles, copyMs: number): HostFiles {
  return {
    ...files,
    async readText(hostPath, problems) {
      const text = await files.readText(hostPath, problems);
      if (text !== undefined || hostPath !== 'proc/uptime') return text;
      const btime = /^btime (\d+)$/m.exec((await files.readText('proc/stat', problems)) ?? '')?.[1];
      return btime === undefined ? undefined : `${(copyMs / 1000 - Number(btime)).toFixed(2)} 0.00\n`;
    },
  };
}

const labelsKey = (labels: Record<string, string>): string => JSON.stringify(Object.keys(labels).sort().map((key) => [key, labels[key]]));

/**
 * A dmesg file is read whole, so a capture's scene would carry every kernel event since boot; live,
 * the collector publishes only the backlog of its last window before it started. Drops, in place,
 * each event (kernel_<kind> and its kernel_<kind>_* details, same labels) whose
 * kernel_<kind>_timestamp_seconds is before `oldestSeconds`; returns how many events were dropped.
 */
function dropStaleKernelEvents(samples: SceneSample[], oldestSeconds: number): number {
  const stale = new Map<string, Set<string>>();
  let count = 0;
  for (const sample of samples) {
    const match = /^(kernel_[a-z_]+?)_timestamp_seconds$/.exec(sample.name);
    if (!match || sample.value >= oldestSeconds) continue;
    const keys = stale.get(match[1]!) ?? new Set<string>();
    const key = labelsKey(sample.labels);
    if (!keys.has(key)) count++;
    keys.add(key);
    stale.set(match[1]!, keys);
  }
  if (count === 0) return 0;
  const kept = samples.filter((sample) => {
    for (const [event, keys] of stale) {
      if ((sample.name === event || sample.name.startsWith(`${event}_`)) && keys.has(labelsKey(sample.labels))) return false;
    }
    return true;
  });
  samples.splice(0, samples.length, ...kept);
  return count;
}

/** Reads DIR into scene samples; throws only when DIR itself is not a directory. */
export async function readCaptureScene(config: CollectorConfig, directory: string): Promise<CaptureScene> {
  if (!(await stat(directory)).isDirectory()) throw new Error(`${directory}: not a directory (a capture is the directory vigil capture --out wrote)`);
  const missing: string[] = [];
  const meta = await readMeta(directory);
  let copies: { directory: string; timestampMs: number }[];
  if (typeof meta === 'string') {
    missing.push(`meta.json: ${meta} (copy times taken from the directories' modification times)`);
    copies = [];
    for (const copy of ['0', '1']) {
      const info = await stat(join(directory, copy)).catch(() => undefined);
      if (info?.isDirectory()) copies.push({ directory: copy, timestampMs: info.mtimeMs });
    }
  } else {
    copies = (meta.copies ?? []).filter((copy) => typeof copy?.directory === 'string' && Number.isFinite(copy.timestampMs));
    for (const line of meta.missing ?? []) if (!line.startsWith('k8s/')) missing.push(`${line} (said by meta.json)`);
  }
  const present: typeof copies = [];
  for (const copy of copies) {
    if (await exists(join(directory, copy.directory))) present.push(copy);
    else missing.push(`${copy.directory}/: absent`);
  }
  for (const expected of ['0', '1']) {
    if (!copies.some((copy) => copy.directory === expected) && !missing.some((line) => line.startsWith(`${expected}/`))) missing.push(`${expected}/: absent`);
  }
  if (present.length === 1) missing.push('one snapshot only: no rates (CPU usage, I/O, counters) and no growth');
  if (present.length === 0) missing.push('no copy of /proc and /sys: no samples at all');

  const dmesg = join(directory, 'dmesg.txt');
  const kernelLog = (await exists(dmesg)) ? dmesg : false;
  if (!kernelLog && !missing.some((line) => line.startsWith('dmesg.txt'))) missing.push('dmesg.txt: absent (no kernel events: OOM kills, hung tasks, lockups)');

  const samples: SceneSample[] = [];
  const problems: string[] = [];
  const read: CaptureScene['copies'] = [];
  if (present.length > 0) {
    // One set of sources across the copies, as in the live collector: the second copy's rates come from the first.
    const setup = await setUpCollector(config, { kubernetes: false, scrape: false, kernelLog, roots: rootsUnder(join(directory, present[0]!.directory)) });
    try {
      for (const copy of present) {
        const files = withUptime(createHostFiles(rootsUnder(join(directory, copy.directory))), copy.timestampMs);
        const result = await createCollector(files, setup.sources).collect(copy.timestampMs);
        let count = 0;
        for (const batch of result.batches) {
          for (const sample of batch.samples) {
            samples.push({ name: sample.name, labels: sample.labels, value: sample.value, timestampMs: copy.timestampMs });
            count++;
          }
        }
        for (const { source, problem } of result.problems) problems.push(`${copy.directory}/ ${source}: ${problem}`);
        read.push({ directory: copy.directory, timestampMs: copy.timestampMs, samples: count });
      }
    } finally {
      await setup.close();
    }
  }
  const stale = dropStaleKernelEvents(samples, (Math.min(...read.map((copy) => copy.timestampMs)) - config.VIGIL_KMSG_BACKLOG_WINDOW_SECONDS * 1000) / 1000);
  if (stale > 0) missing.push(`dmesg.txt: ${stale} kernel events older than ${config.VIGIL_KMSG_BACKLOG_WINDOW_SECONDS} s before the capture left out, as a collector starting then leaves them (VIGIL_KMSG_BACKLOG_WINDOW_SECONDS)`);
  const host = typeof meta === 'string' || !meta.host ? directory.replace(/\/+$/, '').split('/').pop() ?? 'capture' : meta.host;
  return { host, latestMs: Math.max(0, ...read.map((copy) => copy.timestampMs)), samples, copies: read, missing, problems };
}
