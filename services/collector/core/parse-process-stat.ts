import { VigilError } from '../../../src/errors.js';
import { numberField } from './samples.js';

/** The fields of /proc/<pid>/stat the collector uses, in the kernel's units (ticks, pages). */
export interface ProcessStat {
  pid: number;
  /** The command name, up to 15 bytes; may contain spaces and parentheses. */
  comm: string;
  /** One letter: R running, S sleeping, D uninterruptible (I/O), Z zombie, T stopped, I idle kernel thread, ... */
  state: string;
  parentPid: number;
  userTicks: number;
  systemTicks: number;
  threads: number;
  /** Start time after boot in ticks; with pid it identifies a process across pid reuse. */
  startTicks: number;
  residentPages: number;
}

/**
 * Parses /proc/<pid>/stat. comm is enclosed in the first '(' and the LAST ')' of the line: a
 * process may name itself `a b ) ( c`, so splitting on spaces or on the first ')' is wrong.
 */
export function parseProcessStat(text: string): ProcessStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) {
    throw new VigilError('VIGIL_SOURCE', `process stat: no (comm) in ${JSON.stringify(text.slice(0, 80))}`);
  }
  const pid = numberField(text.slice(0, open).trim(), 'process stat pid');
  // Fields after comm, 0-based: 0 state, 1 ppid, 11 utime, 12 stime, 17 num_threads, 19 starttime, 21 rss (proc(5)).
  const fields = text.slice(close + 1).trim().split(/\s+/);
  if (fields.length < 22) {
    throw new VigilError('VIGIL_SOURCE', `process stat of pid ${pid}: expected at least 24 fields, got ${fields.length + 2}`);
  }
  const field = (index: number, what: string): number => numberField(fields[index], `process stat of pid ${pid} ${what}`);
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: fields[0] ?? '',
    parentPid: field(1, 'ppid'),
    userTicks: field(11, 'utime'),
    systemTicks: field(12, 'stime'),
    threads: field(17, 'num_threads'),
    startTicks: field(19, 'starttime'),
    residentPages: field(21, 'rss'),
  };
}
