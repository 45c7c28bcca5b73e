import type { Problems } from '../problems.js';
import { flatKeyedValue, parseSingleValue } from './values.js';

/** pids.max → the limit, or undefined for `max` (unlimited). */
export function parsePidsMax(text: string, problems: Problems): number | undefined {
  const value = parseSingleValue(text, 'pids.max', problems);
  return typeof value === 'number' ? value : undefined;
}

/** pids.events → how many forks failed because the cgroup (or an ancestor) was at pids.max. */
export function parsePidsEventsMax(text: string, problems: Problems): number | undefined {
  return flatKeyedValue(text, 'pids.events', problems, 'max');
}
