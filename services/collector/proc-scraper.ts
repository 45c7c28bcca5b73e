import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from '../../src/codec/records.generated.js';
import { VigilError } from '../../src/errors.js';
import { parseLoadavg } from './core/parse-loadavg.js';
import { parseMeminfo } from './core/parse-meminfo.js';
import { parsePressure, pressureResources } from './core/parse-pressure.js';
import { parseProcessStat } from './core/parse-process-stat.js';
import { defaultClockTicksPerSecond, parseStat } from './core/parse-stat.js';
import { parseVmstat } from './core/parse-vmstat.js';
import { processReading, processSamples, topProcesses as selectTopProcesses, type ProcessReading } from './core/top-processes.js';

/** The samples of one source read in one scrape; one metrics.raw record. */
export interface ScrapeResult {
  source: string;
  samples: Sample[];
}

export interface ProcScraperOptions {
  /** Root of the proc filesystem: /proc, a host mount such as /host/proc, or a fixture tree. */
  procRoot: string;
  /** How many processes by RSS and by CPU (the union is exported). */
  topProcesses: number;
  /** Kernel page size (unit of rss in /proc/<pid>/stat); detected from this machine when absent. */
  pageSizeBytes?: number;
  /** USER_HZ, the unit of /proc times; 100 on Linux unless the architecture says otherwise. */
  clockTicksPerSecond?: number;
}

export interface ProcScraper {
  /** Reads every source once; nowMs is the scrape time, used for per-process CPU usage. */
  scrape(nowMs: number): Promise<ScrapeResult[]>;
}

/** How many /proc/<pid>/stat files are read at once (keeps file descriptors bounded). */
const processReadConcurrency = 64;

/**
 * Reads /proc/{stat,loadavg,meminfo,vmstat}, /proc/pressure/* when the kernel has PSI, and the top
 * processes. The only state is the previous scrape's process readings (all live pids, replaced on
 * every scrape, so vanished pids are dropped) for CPU usage.
 */
export function createProcScraper(options: ProcScraperOptions): ProcScraper {
  const { procRoot, topProcesses: n } = options;
  const clockTicksPerSecond = options.clockTicksPerSecond ?? defaultClockTicksPerSecond;
  let pageSizeBytes: Promise<number> | undefined = options.pageSizeBytes === undefined ? undefined : Promise.resolve(options.pageSizeBytes);
  let previousReadings = new Map<number, ProcessReading>();
  let previousNowMs: number | undefined;

  const readSource = async (source: string, relativePath: string): Promise<string> => {
    const path = join(procRoot, relativePath);
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new VigilError('VIGIL_SOURCE', `${source}: cannot read ${path}: ${messageOf(error)}`, { cause: error });
    }
  };

  const parsed = (source: string, parse: () => Sample[]): ScrapeResult => {
    try {
      return { source, samples: parse() };
    } catch (error) {
      if (error instanceof VigilError) throw new VigilError(error.code, `${source}: ${error.message}`, { cause: error });
      throw error;
    }
  };

  const scrapePressure = async (): Promise<ScrapeResult | undefined> => {
    const samples: Sample[] = [];
    let present = false;
    for (const resource of pressureResources) {
      const path = join(procRoot, 'pressure', resource);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        // Absent without PSI (ENOENT); present but unreadable when booted with psi=0 (EOPNOTSUPP).
        if (hasCode(error, 'ENOENT', 'EOPNOTSUPP', 'ENOTSUP')) continue;
        throw new VigilError('VIGIL_SOURCE', `proc.pressure: cannot read ${path}: ${messageOf(error)}`, { cause: error });
      }
      present = true;
      samples.push(...parsed('proc.pressure', () => parsePressure(resource, text)).samples);
    }
    return present ? { source: 'proc.pressure', samples } : undefined;
  };

  const readProcess = async (pid: string, units: { pageSizeBytes: number; clockTicksPerSecond: number }): Promise<ProcessReading | undefined> => {
    const path = join(procRoot, pid, 'stat');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ESRCH')) return undefined; // exited between readdir and read
      throw new VigilError('VIGIL_SOURCE', `proc.processes: cannot read ${path}: ${messageOf(error)}`, { cause: error });
    }
    if (text === '') return undefined; // reaped while being read
    try {
      return processReading(parseProcessStat(text), units);
    } catch (error) {
      throw new VigilError('VIGIL_SOURCE', `proc.processes: ${path}: ${messageOf(error)}`, { cause: error });
    }
  };

  const scrapeProcesses = async (nowMs: number): Promise<ScrapeResult> => {
    let entries: string[];
    try {
      entries = await readdir(procRoot);
    } catch (error) {
      throw new VigilError('VIGIL_SOURCE', `proc.processes: cannot list ${procRoot}: ${messageOf(error)}`, { cause: error });
    }
    const pids = entries.filter((entry) => /^\d+$/.test(entry));
    pageSizeBytes ??= detectPageSizeBytes();
    const units = { pageSizeBytes: await pageSizeBytes, clockTicksPerSecond };
    const readings: ProcessReading[] = [];
    for (let start = 0; start < pids.length; start += processReadConcurrency) {
      const batch = await Promise.all(pids.slice(start, start + processReadConcurrency).map((pid) => readProcess(pid, units)));
      for (const reading of batch) if (reading) readings.push(reading);
    }
    const elapsedMs = previousNowMs === undefined ? 0 : nowMs - previousNowMs;
    const selected = selectTopProcesses(previousReadings, readings, elapsedMs, n);
    previousReadings = new Map(readings.map((reading) => [reading.pid, reading]));
    previousNowMs = nowMs;
    return { source: 'proc.processes', samples: processSamples(selected) };
  };

  return {
    async scrape(nowMs) {
      const [stat, loadavg, meminfo, vmstat] = await Promise.all([
        readSource('proc.stat', 'stat'),
        readSource('proc.loadavg', 'loadavg'),
        readSource('proc.meminfo', 'meminfo'),
        readSource('proc.vmstat', 'vmstat'),
      ]);
      const results: ScrapeResult[] = [
        parsed('proc.stat', () => parseStat(stat, clockTicksPerSecond)),
        parsed('proc.loadavg', () => parseLoadavg(loadavg)),
        parsed('proc.meminfo', () => parseMeminfo(meminfo)),
        parsed('proc.vmstat', () => parseVmstat(vmstat)),
      ];
      const pressure = await scrapePressure();
      if (pressure) results.push(pressure);
      results.push(await scrapeProcesses(nowMs));
      return results;
    },
  };
}

/**
 * The kernel page size, from the first mapping of this process in /proc/self/smaps (KernelPageSize).
 * It is read from this machine's /proc, not procRoot: the page size belongs to the running kernel,
 * and procRoot's `self` may not resolve in a host mount. 4096 when it cannot be read.
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

function hasCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes(String((error as { code?: unknown }).code));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
