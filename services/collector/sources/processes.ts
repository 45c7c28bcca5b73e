import { open } from 'node:fs/promises';
import type { Problems } from '../core/problems.js';
import { parseProcessStat } from '../core/parse-process-stat.js';
import { defaultClockTicksPerSecond } from '../core/parse-stat.js';
import { processReading, processSamples, topProcesses as selectTopProcesses, type ProcessReading, type ProcessUnits } from '../core/top-processes.js';
import type { HostFiles } from '../host-files.js';
import type { Source } from '../source.js';

export interface ProcessSourceOptions {
  /** How many processes by RSS and by CPU (the union is exported). */
  topProcesses: number;
  /** Kernel page size (unit of rss in /proc/<pid>/stat); detected from this machine when absent. */
  pageSizeBytes?: number;
  /** USER_HZ, the unit of /proc times; 100 on Linux unless the architecture says otherwise. */
  clockTicksPerSecond?: number;
}

/** How many /proc/<pid>/stat files are read at once (keeps file descriptors bounded). */
const processReadConcurrency = 64;

/**
 * proc.processes: the top processes. The only state is the previous cycle's readings (all live pids,
 * replaced every cycle, so vanished pids are dropped) for CPU usage.
 */
export function processSource(options: ProcessSourceOptions): Source {
  const n = options.topProcesses;
  const clockTicksPerSecond = options.clockTicksPerSecond ?? defaultClockTicksPerSecond;
  let pageSizeBytes: Promise<number> | undefined = options.pageSizeBytes === undefined ? undefined : Promise.resolve(options.pageSizeBytes);
  let previousReadings = new Map<number, ProcessReading>();
  let previousNowMs: number | undefined;

  const readProcess = async (files: HostFiles, pid: string, units: ProcessUnits, problems: Problems): Promise<ProcessReading | undefined> => {
    const text = await files.readText(`proc/${pid}/stat`, problems);
    if (!text) return undefined; // exited between listing and reading, or reaped while being read
    const stat = parseProcessStat(text, problems);
    return stat && processReading(stat, units);
  };

  return {
    name: 'proc.processes',
    async collect({ files, problems, nowMs }) {
      const entries = await files.list('proc', problems);
      if (!entries) return [];
      const pids = entries.filter((entry) => /^\d+$/.test(entry));
      pageSizeBytes ??= detectPageSizeBytes();
      const units = { pageSizeBytes: await pageSizeBytes, clockTicksPerSecond };
      const readings: ProcessReading[] = [];
      for (let start = 0; start < pids.length; start += processReadConcurrency) {
        const batch = await Promise.all(pids.slice(start, start + processReadConcurrency).map((pid) => readProcess(files, pid, units, problems)));
        for (const reading of batch) if (reading) readings.push(reading);
      }
      const elapsedMs = previousNowMs === undefined ? 0 : nowMs - previousNowMs;
      const selected = selectTopProcesses(previousReadings, readings, elapsedMs, n);
      previousReadings = new Map(readings.map((reading) => [reading.pid, reading]));
      previousNowMs = nowMs;
      return [{ source: 'proc.processes', samples: processSamples(selected) }];
    },
  };
}

/**
 * The kernel page size, from the first mapping of this process in /proc/self/smaps (KernelPageSize).
 * It is read from this machine's /proc, not the host root: the page size belongs to the running
 * kernel, and a host mount's `self` may not resolve. 4096 when it cannot be read.
 */
async function detectPageSizeBytes(): Promise<number> {
  try {
    const file = await open('/proc/self/smaps', 'r');
    try {
      const buffer = Buffer.alloc(8192);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      const match = /^KernelPageSize:\s+(\d+) kB$/m.exec(buffer.toString('utf8', 0, bytesRead));
      return match?.[1] ? Number(match[1]) * 1024 : 4096;
    } finally {
      await file.close();
    }
  } catch {
    return 4096;
  }
}
