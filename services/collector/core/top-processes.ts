import type { Sample } from '../../../src/codec/records.generated.js';
import { sample } from './samples.js';
import type { ProcessStat } from './parse-process-stat.js';

/** One process at one scrape, in collector units. */
export interface ProcessReading {
  pid: number;
  comm: string;
  state: string;
  /** Start time after boot in ticks: a pid with another start time is another process. */
  startTicks: number;
  /** user + system time, cumulative. */
  cpuSeconds: number;
  residentBytes: number;
}

/** A selected process; cpuUsageCores is absent when there is no earlier reading of it. */
export interface TopProcess extends ProcessReading {
  cpuUsageCores?: number;
}

/** Units of /proc/<pid>/stat: rss is in pages, times are in USER_HZ ticks. */
export interface ProcessUnits {
  pageSizeBytes: number;
  clockTicksPerSecond: number;
}

/** Converts a parsed /proc/<pid>/stat to collector units (RSS = rss pages × page size). */
export function processReading(stat: ProcessStat, units: ProcessUnits): ProcessReading {
  return {
    pid: stat.pid,
    comm: stat.comm,
    state: stat.state,
    startTicks: stat.startTicks,
    cpuSeconds: (stat.userTicks + stat.systemTicks) / units.clockTicksPerSecond,
    residentBytes: stat.residentPages * units.pageSizeBytes,
  };
}

/**
 * Selects the union of the n processes with the most resident memory and the n with the most CPU,
 * ordered by pid. CPU usage (cores) = CPU-seconds delta since the previous reading of the same
 * process (same pid and start time) / elapsed seconds. With no previous readings at all (the first
 * scrape) "most CPU" falls back to the most cumulative CPU time; afterwards processes without a
 * previous reading (new since the last scrape) do not compete on CPU until they have one.
 */
export function topProcesses(
  previous: ReadonlyMap<number, ProcessReading>,
  current: readonly ProcessReading[],
  elapsedMs: number,
  n: number,
): TopProcess[] {
  const withUsage: TopProcess[] = current.map((reading) => {
    const before = previous.get(reading.pid);
    if (!before || before.startTicks !== reading.startTicks || !(elapsedMs > 0)) return { ...reading };
    const deltaSeconds = reading.cpuSeconds - before.cpuSeconds;
    if (deltaSeconds < 0) return { ...reading };
    return { ...reading, cpuUsageCores: deltaSeconds / (elapsedMs / 1000) };
  });
  const byPid = (a: TopProcess, b: TopProcess): number => a.pid - b.pid;
  const byMemory = [...withUsage].sort((a, b) => b.residentBytes - a.residentBytes || byPid(a, b));
  const cpuKey = previous.size === 0
    ? (p: TopProcess): number => p.cpuSeconds
    : (p: TopProcess): number => p.cpuUsageCores ?? Number.NEGATIVE_INFINITY;
  const byCpu = withUsage
    .filter((p) => cpuKey(p) !== Number.NEGATIVE_INFINITY)
    .sort((a, b) => cpuKey(b) - cpuKey(a) || byPid(a, b));
  const selected = new Set([...byMemory.slice(0, n), ...byCpu.slice(0, n)]);
  return [...selected].sort(byPid);
}

/**
 * Samples of selected processes, labelled {pid, comm, state}: process_rss_bytes,
 * process_cpu_seconds_total and, when known, process_cpu_usage_cores.
 */
export function processSamples(processes: readonly TopProcess[]): Sample[] {
  const samples: Sample[] = [];
  for (const p of processes) {
    const labels = { pid: String(p.pid), comm: p.comm, state: p.state };
    samples.push(sample('process_rss_bytes', p.residentBytes, labels));
    samples.push(sample('process_cpu_seconds_total', p.cpuSeconds, labels));
    if (p.cpuUsageCores !== undefined) samples.push(sample('process_cpu_usage_cores', p.cpuUsageCores, labels));
  }
  return samples;
}
