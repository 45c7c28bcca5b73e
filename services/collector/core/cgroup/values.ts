import type { Problems } from '../problems.js';

const integerPattern = /^-?\d+$/;

/** A decimal integer as the kernel prints it, or undefined (not reported) when the text is not one or not finite. */
export function integerValue(text: string): number | undefined {
  if (!integerPattern.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * integerValue of text[start, end) without cutting it out when it is plainly `-?\d+` (what the
 * kernel prints): the number is computed from the character codes, so a file of a hundred counters
 * costs no string per value. Digits beyond what a double holds exactly (16 and more) go through
 * Number() so the rounding is the same; anything else (blanks, signs, garbage) takes integerValue's
 * path on the trimmed slice, so the result is always integerValue(text.slice(start, end).trim()).
 */
export function integerValueAt(text: string, start: number, end: number): number | undefined {
  let at = start;
  const negative = at < end && text.charCodeAt(at) === 45; // '-'
  if (negative) at++;
  if (at === end || end - at > 15) return integerValue(text.slice(start, end).trim());
  let value = 0;
  for (; at < end; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return integerValue(text.slice(start, end).trim());
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** [A-Za-z0-9_.]: the characters of a flat-keyed file's keys. */
function isKeyCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 46;
}

/**
 * The `key value` lines of a flat-keyed cgroup file (memory.stat, cpu.stat, memory.events,
 * pids.events, memory.oom_control), in file order, as positions: visit(keyStart, keyEnd, value),
 * the key being text[keyStart, keyEnd). A line that is not a key and an integer is skipped and
 * reported. Nothing is allocated per line: a caller cuts out only the keys it keeps.
 */
export function scanFlatKeyed(text: string, file: string, problems: Problems, visit: (keyStart: number, keyEnd: number, value: number) => void): void {
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (lineEnd > lineStart) {
      const space = text.indexOf(' ', lineStart);
      let keyEnd = space >= 0 && space < lineEnd ? space : -1;
      for (let at = lineStart; keyEnd > lineStart && at < keyEnd; at++) if (!isKeyCode(text.charCodeAt(at))) keyEnd = -1;
      const value = keyEnd > lineStart ? integerValueAt(text, keyEnd + 1, lineEnd) : undefined;
      if (value === undefined) problems.report(`${file}: unexpected line ${JSON.stringify(text.slice(lineStart, Math.min(lineEnd, lineStart + 80)))}`);
      else visit(lineStart, keyEnd, value);
    }
    lineStart = lineEnd + 1;
  }
}

/** Whether text[start, end) is `key`, without cutting it out. */
export function keyIs(text: string, start: number, end: number, key: string): boolean {
  return end - start === key.length && text.startsWith(key, start);
}

/**
 * The value of one key of a flat-keyed file (the last, if the key repeats), or undefined; bad lines
 * are reported as by parseFlatKeyed. For files of which one counter is wanted (pids.events max,
 * memory.oom_control oom_kill): no map, no strings.
 */
export function flatKeyedValue(text: string, file: string, problems: Problems, key: string): number | undefined {
  let found: number | undefined;
  scanFlatKeyed(text, file, problems, (keyStart, keyEnd, value) => {
    if (keyIs(text, keyStart, keyEnd, key)) found = value;
  });
  return found;
}

/**
 * What the lines of a kind of flat-keyed file meant as last read, by position: the kernel prints the
 * same keys in the same order every time, and every cgroup's memory.stat has the same ones, so the
 * key at a position is nearly always the one seen there before. What was made of that key (the key
 * string itself, or what the line means) is then reused instead of cut out and worked out again:
 * no string per line, and its hash is already computed for the maps it is looked up in.
 */
export interface RememberedLines<T> {
  /** What text[start, end) means: the one remembered at `position` when its key has those characters, else made anew. */
  at(position: number, text: string, start: number, end: number): T;
}

/** More keys than any kernel prints in one cgroup file (v2 memory.stat has ~60): a damaged file cannot grow the memory. */
const maxRememberedLines = 256;

/** Lines remembered by position; `keyOf` gives back the key a remembered line was made from. */
export function rememberedLines<T>(make: (key: string) => T, keyOf: (line: T) => string): RememberedLines<T> {
  const lines: T[] = [];
  return {
    at(position, text, start, end) {
      const known = lines[position];
      if (known !== undefined && keyIs(text, start, end, keyOf(known))) return known;
      const line = make(text.slice(start, end));
      if (position < maxRememberedLines) lines[position] = line;
      return line;
    },
  };
}

const sameKey = (key: string): string => key;

/** Remembered keys of each kind of file parseFlatKeyed reads (by the file name it is given). */
const keysByFile = new Map<string, RememberedLines<string>>();

/**
 * A flat-keyed cgroup file, one `key value` pair a line → key → value (see scanFlatKeyed). A line
 * that is not a key and an integer is skipped and reported; the rest is kept. The keys are the
 * strings of the last file of the same name wherever they are the same (RememberedLines).
 */
export function parseFlatKeyed(text: string, file: string, problems: Problems): Map<string, number> {
  let keys = keysByFile.get(file);
  if (keys === undefined) keysByFile.set(file, (keys = rememberedLines(sameKey, sameKey)));
  const values = new Map<string, number>();
  let position = 0;
  scanFlatKeyed(text, file, problems, (keyStart, keyEnd, value) => void values.set(keys.at(position++, text, keyStart, keyEnd), value));
  return values;
}

/**
 * A single-value cgroup file (memory.current, pids.max, cpu.cfs_quota_us, …): its integer, 'max'
 * (v2's "no limit"), or undefined, reported, when it is neither.
 */
export function parseSingleValue(text: string, file: string, problems: Problems): number | 'max' | undefined {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 10) end--; // the kernel's newline
  const value = integerValueAt(text, 0, end);
  if (value !== undefined) return value;
  const trimmed = text.trim();
  if (trimmed === 'max') return 'max';
  problems.report(`${file}: expected a number or max, got ${JSON.stringify(trimmed.slice(0, 40))}`);
  return undefined;
}
