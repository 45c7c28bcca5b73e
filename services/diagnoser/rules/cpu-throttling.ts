/** CFS bandwidth of one cgroup over the scene, shared by the two throttling rules. */
import type { CgroupView } from '../core/scene-view.js';
import { cgroupMetric, counterRate, increase } from './scene-reading.js';

/** Fewer periods than this between the first and last snapshot say nothing about throttling. */
export const MIN_PERIODS = 10;
/** The CFS period the suggestions assume (the kernel's and Kubernetes' default, 100 ms). */
export const DEFAULT_PERIOD_MICROSECONDS = 100_000;

export interface Throttling {
  cgroup: CgroupView;
  periods: number;
  throttledPeriods: number;
  /** throttledPeriods / periods. */
  throttledRatio: number;
  quotaCores: number;
  /** Average CPU used, cores; undefined when the scene has no usage counter (v1 without cpuacct). */
  usageCores: number | undefined;
  /** Seconds per second the cgroup's run queues sat throttled, summed over CPUs: CPU time it wanted and did not get. */
  throttledCores: number | undefined;
}

/** The cgroup's throttling, or undefined without a quota or enough periods. */
export function throttlingOf(cgroup: CgroupView): Throttling | undefined {
  const quotaCores = cgroupMetric(cgroup, 'cpu_quota_cores');
  const periods = increase(cgroup.metrics.get('cpu_periods_total'));
  const throttledPeriods = increase(cgroup.metrics.get('cpu_throttled_periods_total'));
  if (quotaCores === undefined || quotaCores <= 0 || periods === undefined || throttledPeriods === undefined || periods < MIN_PERIODS) return undefined;
  return {
    cgroup,
    periods,
    throttledPeriods,
    throttledRatio: Math.min(1, throttledPeriods / periods),
    quotaCores,
    usageCores: counterRate(cgroup.metrics.get('cpu_usage_seconds_total')),
    throttledCores: counterRate(cgroup.metrics.get('cpu_throttled_seconds_total')),
  };
}

/** Cores to suggest as a limit for a demand: × 1.3 headroom, rounded up to 0.1 core, at least 0.1 above the current quota. */
export function suggestedCpuLimitCores(demandCores: number, quotaCores: number): number {
  const withHeadroom = Math.ceil(demandCores * 1.3 * 10 - 1e-9) / 10;
  return Math.max(withHeadroom, Math.ceil((quotaCores + 0.1) * 10 - 1e-9) / 10);
}

/** `2600m`: a Kubernetes CPU quantity. */
export function milliCores(cores: number): string {
  return `${Math.round(cores * 1000)}m`;
}

/** The cgroup v2 and v1 settings for a quota in cores over the default period. */
export function quotaSetting(cgroupPath: string, cores: number): string {
  const quotaMicroseconds = Math.round(cores * DEFAULT_PERIOD_MICROSECONDS);
  return `cpu.max="${quotaMicroseconds} ${DEFAULT_PERIOD_MICROSECONDS}" (cgroup v2) or cpu.cfs_quota_us=${quotaMicroseconds} (v1) for ${cgroupPath}`;
}
