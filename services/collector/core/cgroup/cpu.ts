import type { Problems } from '../problems.js';
import { integerValue, keyIs, parseSingleValue, scanFlatKeyed } from './values.js';

/** One cgroup's CPU accounting and CFS bandwidth, in seconds and periods. */
export interface CgroupCpu {
  usageSeconds?: number;
  periods?: number;
  throttledPeriods?: number;
  throttledSeconds?: number;
  /** quota / period; undefined when unlimited. */
  quotaCores?: number;
}

/**
 * cpu.stat of either version: v2 `usage_usec`, `nr_periods`, `nr_throttled`, `throttled_usec` (µs);
 * v1 `nr_periods`, `nr_throttled`, `throttled_time` (ns; v1 usage is in cpuacct.usage).
 */
export function parseCpuStat(text: string, problems: Problems): CgroupCpu {
  let usageMicroseconds: number | undefined;
  let throttledMicroseconds: number | undefined;
  let throttledNanoseconds: number | undefined;
  let periods: number | undefined;
  let throttledPeriods: number | undefined;
  scanFlatKeyed(text, 'cpu.stat', problems, (start, end, value) => {
    if (keyIs(text, start, end, 'usage_usec')) usageMicroseconds = value;
    else if (keyIs(text, start, end, 'throttled_usec')) throttledMicroseconds = value;
    else if (keyIs(text, start, end, 'throttled_time')) throttledNanoseconds = value;
    else if (keyIs(text, start, end, 'nr_periods')) periods = value;
    else if (keyIs(text, start, end, 'nr_throttled')) throttledPeriods = value;
  });
  return {
    usageSeconds: usageMicroseconds === undefined ? undefined : usageMicroseconds / 1e6,
    periods,
    throttledPeriods,
    throttledSeconds: throttledMicroseconds !== undefined ? throttledMicroseconds / 1e6 : throttledNanoseconds !== undefined ? throttledNanoseconds / 1e9 : undefined,
  };
}

/** v1 cpuacct.usage (ns) → seconds. */
export function parseCpuacctUsage(text: string, problems: Problems): number | undefined {
  const value = parseSingleValue(text, 'cpuacct.usage', problems);
  return typeof value === 'number' ? value / 1e9 : undefined;
}

/** v2 cpu.max (`$MAX $PERIOD`, `max 100000` when unlimited) → cores, or undefined when unlimited. */
export function parseCpuMax(text: string, problems: Problems): number | undefined {
  const [quota = '', period = '', ...rest] = text.trim().split(/\s+/);
  if (quota === 'max' && rest.length === 0 && integerValue(period) !== undefined) return undefined;
  const cores = quotaCores(integerValue(quota), integerValue(period));
  if (cores === undefined || rest.length > 0) {
    problems.report(`cpu.max: expected "<quota|max> <period>", got ${JSON.stringify(text.trim().slice(0, 40))}`);
    return undefined;
  }
  return cores;
}

/** v1 cpu.cfs_quota_us / cpu.cfs_period_us → cores; undefined when the quota is -1 (unlimited) or either is unreadable. */
export function parseCfsQuota(quotaText: string, periodText: string, problems: Problems): number | undefined {
  const quota = parseSingleValue(quotaText, 'cpu.cfs_quota_us', problems);
  const period = parseSingleValue(periodText, 'cpu.cfs_period_us', problems);
  if (typeof quota !== 'number' || quota < 0) return undefined;
  const cores = quotaCores(quota, typeof period === 'number' ? period : undefined);
  if (cores === undefined) problems.report(`cpu.cfs_period_us: expected a positive period, got ${JSON.stringify(periodText.trim().slice(0, 40))}`);
  return cores;
}

function quotaCores(quota: number | undefined, period: number | undefined): number | undefined {
  if (quota === undefined || period === undefined || quota < 0 || period <= 0) return undefined;
  return quota / period;
}
