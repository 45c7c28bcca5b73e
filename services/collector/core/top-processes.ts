import type { Sample } from '../../../src/codec/records.generated.js';
import type { ProcessIo } from './parse-process-io.js';
import type { ProcessStat } from './parse-process-stat.js';
import type { ProcessStatus } from './parse-process-status.js';
import { sample } from './samples.js';

/** One process at one scrape, in collector units. */
export interface ProcessReading {
  pid: number;
  comm: string;
  state: string;
  parentPid: number;
  threads: number;
  /** Start time after boot in ticks: a pid with another start time is another process. */
  startTicks: number;
  /** user + system time of all threads, cumulative. */
  cpuSeconds: number;
  residentBytes: number;
  /**
   * /proc/<pid>/io and when it was read. A reader may carry a process's earlier reading forward
   * unchanged (same readAtMs) when the process did not run since: its rates are then 0.
   */
  io?: ProcessIo & { readAtMs: number };
  /** run_delay of /proc/<pid>/schedstat (main thread) and when it was read; carried forward like io. */
  runDelay?: { seconds: number; readAtMs: number };
}

/** A process with its rates since the previous reading of the same process (same pid and start time), where there is one. */
export interface TopProcess extends ProcessReading {
  cpuUsageCores?: number;
  ioReadBytesPerSecond?: number;
  ioWriteBytesPerSecond?: number;
  /** Seconds spent waiting for a CPU per second elapsed; 1.0 = always runnable and never running. */
  runDelayRatio?: number;
}

/** What is read only for the selected processes. */
export interface ProcessDetails {
  memory?: ProcessStatus;
  /** Command line, already cut to label length. */
  cmdline?: string;
  /** The process's cgroup path (see processCgroupPath). */
  cgroup?: string;
  /** Labels of the pod and container the cgroup belongs to (namespace, pod, container, …), from CgroupAttribution. */
  attribution?: Readonly<Record<string, string>>;
}

/** Units of /proc/<pid>/stat: rss is in pages, times are in USER_HZ ticks. */
export interface ProcessUnits {
  pageSizeBytes: number;
  clockTicksPerSecond: number;
}

/** How many D-state processes are kept, per `n` of topProcesses: a hung NFS mount can block thousands. */
export const uninterruptiblePerTop = 4;

/**
 * Converts a parsed /proc/<pid>/stat to collector units (RSS = rss pages × page size), with the io
 * and run delay readings when there are any. (One object literal: thousands of readings a cycle
 * share one shape.)
 */
export function processReading(stat: ProcessStat, units: ProcessUnits, io?: ProcessReading['io'], runDelay?: ProcessReading['runDelay']): ProcessReading {
  return {
    pid: stat.pid,
    comm: stat.comm,
    state: stat.state,
    parentPid: stat.parentPid,
    threads: stat.threads,
    startTicks: stat.startTicks,
    cpuSeconds: (stat.userTicks + stat.systemTicks) / units.clockTicksPerSecond,
    residentBytes: stat.residentPages * units.pageSizeBytes,
    io,
    runDelay,
  };
}

/**
 * Per-second rate of a counter between two readings taken at beforeMs and atMs. A reading carried
 * forward (same time) while the cycle clock moved on is a process that did not run: rate 0.
 * Undefined when no time passed, or when the counter went backwards.
 */
function ratePerSecond(value: number, atMs: number, before: number, beforeMs: number, elapsedMs: number): number | undefined {
  if (atMs === beforeMs) return elapsedMs > 0 && value === before ? 0 : undefined;
  if (!(atMs > beforeMs) || value < before) return undefined;
  return (value - before) / ((atMs - beforeMs) / 1000);
}

/** Rates of one process since its previous reading (same pid and start time), without allocating (thousands of processes a cycle). */
function cpuUsageCores(before: ProcessReading, reading: ProcessReading, elapsedMs: number): number | undefined {
  const deltaSeconds = reading.cpuSeconds - before.cpuSeconds;
  return elapsedMs > 0 && deltaSeconds >= 0 ? deltaSeconds / (elapsedMs / 1000) : undefined;
}

function ioReadRate(before: ProcessReading, reading: ProcessReading, elapsedMs: number): number | undefined {
  if (!reading.io || !before.io) return undefined;
  return ratePerSecond(reading.io.readBytes, reading.io.readAtMs, before.io.readBytes, before.io.readAtMs, elapsedMs);
}

function ioWriteRate(before: ProcessReading, reading: ProcessReading, elapsedMs: number): number | undefined {
  if (!reading.io || !before.io) return undefined;
  return ratePerSecond(reading.io.writeBytes, reading.io.readAtMs, before.io.writeBytes, before.io.readAtMs, elapsedMs);
}

function runDelayRatio(before: ProcessReading, reading: ProcessReading, elapsedMs: number): number | undefined {
  if (!reading.runDelay || !before.runDelay) return undefined;
  return ratePerSecond(reading.runDelay.seconds, reading.runDelay.readAtMs, before.runDelay.seconds, before.runDelay.readAtMs, elapsedMs);
}

/** The rates of one process since its previous reading; none for a new process or a reused pid. */
export function withRates(before: ProcessReading | undefined, reading: ProcessReading, elapsedMs: number): TopProcess {
  const rated: TopProcess = { ...reading };
  if (!before || before.startTicks !== reading.startTicks) return rated;
  const cpu = cpuUsageCores(before, reading, elapsedMs);
  if (cpu !== undefined) rated.cpuUsageCores = cpu;
  const ioRead = ioReadRate(before, reading, elapsedMs);
  const ioWrite = ioWriteRate(before, reading, elapsedMs);
  if (ioRead !== undefined && ioWrite !== undefined) {
    rated.ioReadBytesPerSecond = ioRead;
    rated.ioWriteBytesPerSecond = ioWrite;
  }
  const delay = runDelayRatio(before, reading, elapsedMs);
  if (delay !== undefined) rated.runDelayRatio = delay;
  return rated;
}

/**
 * Selects, ordered by pid, the union of the n processes with the most resident memory, the n with
 * the most CPU usage, the n with the most storage I/O (read + write bytes per second) and the n with
 * the most run delay (seconds waiting for a CPU per second), plus every process in D state up to
 * uninterruptiblePerTop × n of them, those with the most run delay first. A process with none of a
 * resource does not rank for it. Rates are since the previous reading of the same process (pid and
 * start time); on the first scrape (no previous readings at all) CPU, I/O and run delay rank by their
 * cumulative totals instead, and afterwards a process without a previous reading ranks on memory only.
 */
export function topProcesses(
  previous: ReadonlyMap<number, ProcessReading>,
  current: readonly ProcessReading[],
  elapsedMs: number,
  n: number,
): TopProcess[] {
  // One key per process and ranking, NaN for "does not rank": thousands of processes, a few selected,
  // so nothing is allocated per process.
  const count = current.length;
  const memory = new Float64Array(count);
  const cpu = new Float64Array(count).fill(Number.NaN);
  const io = new Float64Array(count).fill(Number.NaN);
  const delay = new Float64Array(count).fill(Number.NaN);
  const blocked = new Float64Array(count).fill(Number.NaN);
  const firstScrape = previous.size === 0;
  for (let i = 0; i < count; i++) {
    const reading = current[i]!;
    memory[i] = reading.residentBytes;
    let delayRatio: number | undefined;
    if (firstScrape) {
      cpu[i] = reading.cpuSeconds;
      if (reading.io) io[i] = reading.io.readBytes + reading.io.writeBytes;
      if (reading.runDelay) delay[i] = reading.runDelay.seconds;
    } else {
      const before = previous.get(reading.pid);
      if (before && before.startTicks === reading.startTicks) {
        cpu[i] = cpuUsageCores(before, reading, elapsedMs) ?? Number.NaN;
        const ioRead = ioReadRate(before, reading, elapsedMs);
        const ioWrite = ioWriteRate(before, reading, elapsedMs);
        if (ioRead !== undefined && ioWrite !== undefined) io[i] = ioRead + ioWrite;
        delayRatio = runDelayRatio(before, reading, elapsedMs);
        delay[i] = delayRatio ?? Number.NaN;
      }
    }
    if (reading.state === 'D') blocked[i] = delayRatio ?? -1;
  }
  const selected = new Set<number>([
    ...topIndices(memory, current, n, true),
    ...topIndices(cpu, current, n, false),
    ...topIndices(io, current, n, false),
    ...topIndices(delay, current, n, false),
    ...topIndices(blocked, current, uninterruptiblePerTop * n, true),
  ]);
  return [...selected]
    .map((i) => current[i]!)
    .sort((a, b) => a.pid - b.pid)
    .map((reading) => withRates(previous.get(reading.pid), reading, elapsedMs));
}

/** Indices of the `limit` largest keys (ties: lower pid first), skipping NaN and, unless keepZero, keys ≤ 0. */
function topIndices(keys: Float64Array, readings: readonly ProcessReading[], limit: number, keepZero: boolean): number[] {
  const best: number[] = [];
  const ahead = (i: number, j: number): boolean => keys[i]! > keys[j]! || (keys[i] === keys[j] && readings[i]!.pid < readings[j]!.pid);
  for (let i = 0; i < keys.length && limit > 0; i++) {
    const key = keys[i]!;
    if (Number.isNaN(key) || (!keepZero && !(key > 0))) continue;
    if (best.length === limit) {
      if (!ahead(i, best[limit - 1]!)) continue;
      best.pop();
    }
    let at = best.length;
    while (at > 0 && ahead(i, best[at - 1]!)) at--;
    best.splice(at, 0, i);
  }
  return best;
}

/**
 * Samples of selected processes, labelled {pid, comm, state} plus cgroup and the attribution's
 * labels when known: memory, threads, CPU, storage I/O and run delay (counters, and their rates when
 * known), and one process_info{…, cmdline, ppid} 1 that carries the long labels once. The samples of
 * one process share one frozen labels object.
 */
export function processSamples(processes: readonly (TopProcess & ProcessDetails)[]): Sample[] {
  const samples: Sample[] = [];
  for (const p of processes) {
    const labels: Record<string, string> = { ...p.attribution, pid: String(p.pid), comm: p.comm, state: p.state };
    if (p.cgroup !== undefined) labels.cgroup = p.cgroup;
    Object.freeze(labels); // one labels object for the process's samples, as the cgroup source shares one per cgroup
    const add = (name: string, value: number | undefined): void => {
      if (value !== undefined) samples.push({ name, labels, value });
    };
    add('process_rss_bytes', p.residentBytes);
    add('process_resident_anon_bytes', p.memory?.residentAnonBytes);
    add('process_resident_file_bytes', p.memory?.residentFileBytes);
    add('process_resident_shmem_bytes', p.memory?.residentShmemBytes);
    add('process_threads', p.threads);
    add('process_cpu_seconds_total', p.cpuSeconds);
    add('process_cpu_usage_cores', p.cpuUsageCores);
    add('process_io_read_bytes_total', p.io?.readBytes);
    add('process_io_write_bytes_total', p.io?.writeBytes);
    add('process_io_read_bytes_per_second', p.ioReadBytesPerSecond);
    add('process_io_write_bytes_per_second', p.ioWriteBytesPerSecond);
    add('process_run_delay_seconds_total', p.runDelay?.seconds);
    add('process_run_delay_ratio', p.runDelayRatio);
    samples.push(sample('process_info', 1, { ...labels, cmdline: p.cmdline ?? '', ppid: String(p.parentPid) }));
  }
  return samples;
}
