import { integerAt, integerOrReport } from './parse-process-number.js';
import type { Problems } from './problems.js';

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
export function parseProcessStat(text: string, problems: Problems): ProcessStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) {
    problems.report(`process stat: no (comm) in ${JSON.stringify(text.slice(0, 80))}`);
    return undefined;
  }
  const pid = pidBefore(text, open, problems);
  if (pid === undefined) return undefined;
  // Fields after comm, 0-based: 0 state, 1 ppid, 11 utime, 12 stime, 17 num_threads, 19 starttime, 21 rss (proc(5)).
  const count = fieldsAfterComm(text, close + 1, 22);
  if (count < 22) {
    problems.report(`process stat of pid ${pid}: expected at least 24 fields, got ${count + 2}`);
    return undefined;
  }
  const field = (index: number): number | undefined => {
    const start = bounds[2 * index]!;
    const end = bounds[2 * index + 1]!;
    // The message is built only for a field that is not a plain integer (it would be a string per field per process).
    return integerAt(text, start, end) ?? integerOrReport(text.slice(start, end), `process stat of pid ${pid} field ${index + 3}`, problems);
  };
  // Each is read (and reported) even when one before it failed, so one pass names every bad field.
  const parentPid = field(1);
  const userTicks = field(11);
  const systemTicks = field(12);
  const threads = field(17);
  const startTicks = field(19);
  const residentPages = field(21);
  if (parentPid === undefined || userTicks === undefined || systemTicks === undefined || threads === undefined
    || startTicks === undefined || residentPages === undefined) return undefined;
  return { pid, comm: text.slice(open + 1, close), state: text.slice(bounds[0], bounds[1]), parentPid, userTicks, systemTicks, threads, startTicks, residentPages };
}

/** The pid before ` (comm)`: the text up to the parenthesis, blanks around it ignored. */
function pidBefore(text: string, open: number, problems: Problems): number | undefined {
  // What the kernel prints, `1234 (`, is read from the character codes; anything else as before, trimmed.
  const end = open - 1;
  if (end > 0 && end <= 15 && text.charCodeAt(end) === 32) {
    let value = 0;
    let at = 0;
    for (; at < end; at++) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (at === end) return value;
  }
  return integerOrReport(text.slice(0, open).trim(), 'process stat pid', problems);
}

/** Start and end offsets of the fields found by fieldsAfterComm: [start0, end0, start1, end1, …]. */
const bounds = new Int32Array(64);

/**
 * Finds the first `count` (≤ 32) whitespace-separated fields from `start` and records their offsets
 * in `bounds`; returns how many there are. Every process's stat is parsed every cycle and the line
 * has 52 fields: cutting them out as strings (a regex split, 52 strings per process) was most of the
 * parser's time and garbage on a host with thousands of processes; now only comm and state are.
 */
function fieldsAfterComm(text: string, start: number, count: number): number {
  let found = 0;
  let at = start;
  while (found < count) {
    while (at < text.length && isSpace(text.charCodeAt(at))) at++;
    if (at >= text.length) break;
    bounds[2 * found] = at;
    while (at < text.length && !isSpace(text.charCodeAt(at))) at++;
    bounds[2 * found + 1] = at;
    found++;
  }
  return found;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}
