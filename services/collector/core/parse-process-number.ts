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
 * integerOrReport(text.slice(start, end)) without cutting the field out when it is plainly
 * `-?\d{1,15}` (what the kernel prints): computed from the character codes, exact below 2^53. Longer
 * or malformed fields take integerOrReport's path, so the value and the report are the same.
 */
export function integerAtOrReport(text: string, start: number, end: number, what: string, problems: Problems): number | undefined {
  let at = start;
  const negative = at < end && text.charCodeAt(at) === 45; // '-'
  if (negative) at++;
  if (at === end || end - at > 15) return integerOrReport(text.slice(start, end), what, problems);
  let value = 0;
  for (; at < end; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return integerOrReport(text.slice(start, end), what, problems);
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}
