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
