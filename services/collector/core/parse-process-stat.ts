import { integerOrReport } from './parse-process-number.js';
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
  const pid = integerOrReport(text.slice(0, open).trim(), 'process stat pid', problems);
  if (pid === undefined) return undefined;
  // Fields after comm, 0-based: 0 state, 1 ppid, 11 utime, 12 stime, 17 num_threads, 19 starttime, 21 rss (proc(5)).
  const fields = fieldsAfterComm(text, close + 1, 22);
  if (fields.length < 22) {
    problems.report(`process stat of pid ${pid}: expected at least 24 fields, got ${fields.length + 2}`);
    return undefined;
  }
  const numbers = [1, 11, 12, 17, 19, 21].map((index) => integerOrReport(fields[index], `process stat of pid ${pid} field ${index + 3}`, problems));
  const [parentPid, userTicks, systemTicks, threads, startTicks, residentPages] = numbers;
  if (parentPid === undefined || userTicks === undefined || systemTicks === undefined || threads === undefined
    || startTicks === undefined || residentPages === undefined) return undefined;
  return { pid, comm: text.slice(open + 1, close), state: fields[0] ?? '', parentPid, userTicks, systemTicks, threads, startTicks, residentPages };
}

/**
 * The first `count` whitespace-separated fields from `start`. Every process's stat is parsed every
 * cycle, and the line has 52 fields: splitting it all (a regex and 52 strings per process) was most
 * of the parser's time and garbage on a host with thousands of processes.
 */
function fieldsAfterComm(text: string, start: number, count: number): string[] {
  const fields: string[] = [];
  let at = start;
  while (fields.length < count) {
    while (at < text.length && isSpace(text.charCodeAt(at))) at++;
    if (at >= text.length) break;
    const from = at;
    while (at < text.length && !isSpace(text.charCodeAt(at))) at++;
    fields.push(text.slice(from, at));
  }
  return fields;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}
