import type { Problems } from '../problems.js';

const integerPattern = /^-?\d+$/;

/** A decimal integer as the kernel prints it, or undefined (not reported) when the text is not one or not finite. */
export function integerValue(text: string): number | undefined {
  if (!integerPattern.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A flat-keyed cgroup file, one `key value` pair a line (memory.stat, cpu.stat, memory.events,
 * pids.events, memory.oom_control) → key → value. A line that is not a key and an integer is
 * skipped and reported; the rest is kept.
 */
export function parseFlatKeyed(text: string, file: string, problems: Problems): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    const key = space > 0 ? line.slice(0, space) : '';
    const value = space > 0 ? integerValue(line.slice(space + 1).trim()) : undefined;
    if (value === undefined || !/^[a-z0-9_.]+$/i.test(key)) {
      problems.report(`${file}: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    values.set(key, value);
  }
  return values;
}

/**
 * A single-value cgroup file (memory.current, pids.max, cpu.cfs_quota_us, …): its integer, 'max'
 * (v2's "no limit"), or undefined, reported, when it is neither.
 */
export function parseSingleValue(text: string, file: string, problems: Problems): number | 'max' | undefined {
  const trimmed = text.trim();
  if (trimmed === 'max') return 'max';
  const value = integerValue(trimmed);
  if (value === undefined) problems.report(`${file}: expected a number or max, got ${JSON.stringify(trimmed.slice(0, 40))}`);
  return value;
}
