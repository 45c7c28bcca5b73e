import type { CgroupAttribution } from '../attribution.js';
import { parseProcessCgroup, processCgroupPath } from '../core/parse-process-cgroup.js';
import { parseProcessCmdline } from '../core/parse-process-cmdline.js';
import { parseProcessIo } from '../core/parse-process-io.js';
import { parseProcessSchedstat } from '../core/parse-process-schedstat.js';
import { parseProcessStat } from '../core/parse-process-stat.js';
import { parseProcessStatus } from '../core/parse-process-status.js';
import type { Problems } from '../core/problems.js';
import { defaultClockTicksPerSecond } from '../core/parse-stat.js';
import {
  processReading, processSamples, topProcesses as selectTopProcesses,
  type ProcessDetails, type ProcessReading, type TopProcess,
} from '../core/top-processes.js';
import type { HostFile, HostFiles } from '../host-files.js';
import type { Source } from '../source.js';
import { detectPageSizeBytes } from './page-size.js';

export interface ProcessSourceOptions {
  /** How many processes by each resource (RSS, CPU, I/O, run delay); the union is exported, with D-state processes. */
  topProcesses: number;
  /** Kernel page size (unit of rss in /proc/<pid>/stat); detected from this machine when absent. */
  pageSizeBytes?: number;
  /** USER_HZ, the unit of /proc times; 100 on Linux unless the architecture says otherwise. */
  clockTicksPerSecond?: number;
  /** Pod and container labels of a cgroup path, merged into every sample of a process in that cgroup. */
  attribute?: CgroupAttribution;
}

/**
 * proc.processes: the top processes (topProcesses in core/top-processes.ts). Every cycle reads
 * /proc/<pid>/stat of every process; io and schedstat only of processes that may have changed them
 * (new, running, or with CPU time since their last reading — the others carry their last reading
 * forward, rates 0); status, cmdline and cgroup only of the selected. Files are read synchronously:
 * a few thousand tiny /proc reads cost several times less CPU than through the thread pool. A live
 * process's stat, io and schedstat stay open (held) between cycles, and a process's files are closed
 * in the cycle it is gone from /proc. The state is the previous cycle's readings of all live pids
 * (replaced every cycle, so vanished pids are dropped) and the paths of their files.
 */
export function processSource(options: ProcessSourceOptions): Source {
  const n = options.topProcesses;
  const clockTicksPerSecond = options.clockTicksPerSecond ?? defaultClockTicksPerSecond;
  let pageSizeBytes: Promise<number> | undefined = options.pageSizeBytes === undefined ? undefined : Promise.resolve(options.pageSizeBytes);
  let previousReadings = new Map<number, ProcessReading>();
  let previousNowMs: number | undefined;
  /** Host paths of the files of each process in /proc, by pid; `seenInCycle` tells those gone. */
  const pathsByPid = new Map<number, ProcessPaths>();
  let cycle = 0;

  /** /proc/<pid>/io and schedstat, fresh when the process may have changed them, else carried from its previous reading. */
  const addCounters = (files: HostFiles, paths: ProcessPaths, reading: ProcessReading, nowMs: number, problems: Problems, ioProblems: Problems): void => {
    const before = previousReadings.get(reading.pid);
    const sameProcess = before !== undefined && before.startTicks === reading.startTicks;
    if (sameProcess && before.cpuSeconds === reading.cpuSeconds && reading.state !== 'R') {
      if (before.io) reading.io = before.io;
      if (before.runDelay) reading.runDelay = before.runDelay;
      return;
    }
    const ioText = files.readTextSync(paths.io, ioProblems, held);
    const io = ioText ? parseProcessIo(ioText, ioProblems) : undefined;
    if (io) reading.io = { ...io, readAtMs: nowMs };
    const schedstatText = files.readTextSync(paths.schedstat, problems, held);
    const schedstat = schedstatText ? parseProcessSchedstat(schedstatText, problems) : undefined;
    if (schedstat) reading.runDelay = { seconds: schedstat.runDelaySeconds, readAtMs: nowMs };
  };

  /** status, cmdline and cgroup of a selected process (directory: proc/<pid>); undefined when it exited since its stat was read. */
  const readDetails = (files: HostFiles, directory: string, problems: Problems): ProcessDetails | undefined => {
    const statusText = files.readTextSync(`${directory}/status`, problems);
    if (!statusText && !files.exists(directory)) return undefined;
    const details: ProcessDetails = {};
    if (statusText) details.memory = parseProcessStatus(statusText, problems);
    const cmdline = files.readTextSync(`${directory}/cmdline`, problems);
    if (cmdline !== undefined) details.cmdline = parseProcessCmdline(cmdline, problems);
    const cgroupText = files.readTextSync(`${directory}/cgroup`, problems);
    const cgroup = cgroupText ? processCgroupPath(parseProcessCgroup(cgroupText, problems)) : undefined;
    if (cgroup !== undefined) {
      details.cgroup = cgroup;
      if (options.attribute) details.attribution = options.attribute(cgroup);
    }
    return details;
  };

  return {
    name: 'proc.processes',
    async collect({ files, problems, nowMs }) {
      const entries = await files.list('proc', problems);
      if (!entries) return [];
      pageSizeBytes ??= detectPageSizeBytes();
      const units = { pageSizeBytes: await pageSizeBytes, clockTicksPerSecond };
      const ioProblems = summarized(problems, '/proc/<pid>/io');
      const readings: ProcessReading[] = [];
      const directories = new Map<number, string>();
      for (const entry of entries) {
        const pid = pidOf(entry);
        if (pid === undefined) continue;
        let paths = pathsByPid.get(pid);
        if (paths === undefined) pathsByPid.set(pid, (paths = processPaths(files, entry)));
        paths.seenInCycle = cycle;
        const text = files.readTextSync(paths.stat, problems, held);
        if (!text) continue; // exited between listing and reading, or reaped while being read
        const stat = parseProcessStat(text, problems);
        if (!stat) continue;
        const reading = processReading(stat, units);
        addCounters(files, paths, reading, nowMs, problems, ioProblems);
        readings.push(reading);
        directories.set(reading.pid, paths.directory);
      }
      ioProblems.flush();
      const elapsedMs = previousNowMs === undefined ? 0 : nowMs - previousNowMs;
      const selected: (TopProcess & ProcessDetails)[] = [];
      for (const top of selectTopProcesses(previousReadings, readings, elapsedMs, n)) {
        const details = readDetails(files, directories.get(top.pid) ?? `proc/${top.pid}`, problems);
        if (details) selected.push({ ...top, ...details });
      }
      // Processes gone from /proc: their kept files are closed now, not after idle cycles.
      pathsByPid.forEach((paths, pid) => {
        if (paths.seenInCycle === cycle) return;
        pathsByPid.delete(pid);
        for (const file of [paths.stat, paths.io, paths.schedstat, `${paths.directory}/status`, `${paths.directory}/cmdline`, `${paths.directory}/cgroup`]) files.forget(file);
      });
      cycle++;
      previousReadings = new Map();
      for (const reading of readings) previousReadings.set(reading.pid, reading);
      previousNowMs = nowMs;
      return [{ source: 'proc.processes', samples: processSamples(selected) }];
    },
  };
}

/** A process's stat, io and schedstat stay open between cycles until it is gone (see HostFiles ReadOptions). */
const held = { held: true } as const;

/**
 * The files of one /proc/<pid> read every cycle (HostFiles.file), made when the pid appears and kept
 * while it lives: neither paths nor lookups of kept files by path every cycle for thousands of processes.
 */
interface ProcessPaths {
  /** proc/<pid> */
  directory: string;
  stat: HostFile;
  io: HostFile;
  schedstat: HostFile;
  /** The last cycle that listed the pid in /proc. */
  seenInCycle: number;
}

function processPaths(files: HostFiles, entry: string): ProcessPaths {
  const directory = `proc/${entry}`;
  return { directory, stat: files.file(`${directory}/stat`), io: files.file(`${directory}/io`), schedstat: files.file(`${directory}/schedstat`), seenInCycle: 0 };
}

/**
 * The pid of a /proc entry that is a process (all digits), else undefined: computed from the
 * character codes, cheaper than a regex and Number() for thousands of names, and a number is a
 * cheaper map key than the entry's new string every cycle.
 */
function pidOf(entry: string): number | undefined {
  if (entry.length === 0 || entry.length > 10) return undefined;
  let pid = 0;
  for (let i = 0; i < entry.length; i++) {
    const code = entry.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
    pid = pid * 10 + code - 48;
  }
  return pid;
}

/**
 * A Problems that reports one line per cycle for a file read of every process: without root (or
 * CAP_SYS_PTRACE) every other user's /proc/<pid>/io fails with EACCES, which is one problem, not hundreds.
 */
function summarized(problems: Problems, what: string): Problems & { flush(): void } {
  let first: string | undefined;
  let count = 0;
  return {
    report(problem) {
      first ??= problem;
      count += 1;
    },
    flush() {
      if (first === undefined) return;
      problems.report(count === 1 ? first : `${first} (and ${count - 1} more ${what} problems this cycle)`);
      first = undefined;
      count = 0;
    },
  };
}
