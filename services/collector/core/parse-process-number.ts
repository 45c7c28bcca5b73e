import type { Problems } from './problems.js';

/**
 * A base-10 integer field of a /proc/<pid>/* file (`6716`, `-1024`), or undefined after a report.
 * Stricter than Number(): no `0x`, `1e3`, `Infinity` or blanks, so a damaged file never yields a
 * value that is not finite.
 */
export function integerOrReport(text: string | undefined, what: string, problems: Problems): number | undefined {
  const value = text !== undefined && /^-?\d{1,20}$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value)) {
    problems.report(`${what}: expected an integer, got ${JSON.stringify(text?.slice(0, 40))}`);
    return undefined;
  }
  return value;
}

/**
 * The integer text[start, end) when it is plainly `-?\d{1,15}` (what the kernel prints), computed
 * from the character codes without cutting the field out (exact: below 2^53); else undefined, and
 * the caller takes integerOrReport's path on the slice, which gives the same value for longer fields
 * and the same report for malformed ones.
 */
export function integerAt(text: string, start: number, end: number): number | undefined {
  let at = start;
  const negative = at < end && text.charCodeAt(at) === 45; // '-'
  if (negative) at++;
  if (at === end || end - at > 15) return undefined;
  let value = 0;
  for (; at < end; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}
