import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, suggestion } from '../core/format.js';
import { DEFAULT_PERIOD_MICROSECONDS, milliCores, suggestedCpuLimitCores, throttlingOf, type Throttling } from './cpu-throttling.js';
import { BURST_USAGE_RATIO } from './cpu-limit-too-low.js';
import { cgroupName, formatCores, percent, podName, workloadRef } from './scene-reading.js';

/** Throttled in at least this share of periods while using little on average: bursts hit the quota. */
export const BURST_THROTTLED_RATIO = 0.2;

/**
 * Throttling at low average usage: the cgroup needs more than its quota for a few milliseconds at a
 * time (a request burst, GC, startup), so a limit sized by average usage throttles it. Suggests CPU
 * burst (cpu.max.burst / cpu.cfs_burst_us, Linux ≥ 5.14), which lets unused quota carry over, or a
 * limit that covers the bursts.
 */
export function cpuThrottleBursts(evidence: Evidence): Finding | undefined {
  let worst: Throttling | undefined;
  for (const cgroup of evidence.scene.cgroups()) {
    const throttling = throttlingOf(cgroup);
    if (!throttling || throttling.usageCores === undefined) continue;
    if (throttling.throttledRatio < BURST_THROTTLED_RATIO || throttling.usageCores >= BURST_USAGE_RATIO * throttling.quotaCores) continue;
    if (!worst || throttling.throttledRatio > worst.throttledRatio) worst = throttling;
  }
  if (!worst) return undefined;

  const { cgroup, quotaCores, throttledRatio } = worst;
  const usageCores = worst.usageCores!;
  const usageRatio = usageCores / quotaCores;
  const name = cgroupName(cgroup);
  const quotaMicroseconds = Math.round(quotaCores * DEFAULT_PERIOD_MICROSECONDS);
  // What the bursts wanted on top of what they got, spread over the periods: a limit covering it.
  const burstDemandCores = usageCores + (worst.throttledCores ?? 0);
  const newLimitCores = suggestedCpuLimitCores(Math.max(burstDemandCores, quotaCores), quotaCores);
  const pod = podName(cgroup.pod);
  const workload = workloadRef(cgroup.pod);
  const container = cgroup.pod?.container;

  const facts = [
    fact('throttled CFS periods', throttledRatio, 'ratio', `${worst.throttledPeriods} of ${worst.periods} periods, ${cgroup.path}`),
    fact('average CPU usage', usageCores, 'cores', `${percent(usageRatio)} of the quota`),
    fact('CPU quota', quotaCores, 'cores', `${quotaMicroseconds} µs per ${DEFAULT_PERIOD_MICROSECONDS} µs period`),
  ];
  if (worst.throttledCores !== undefined) facts.push(fact('run time lost to throttling', worst.throttledCores, 'cores', 'throttled seconds per second, summed over CPUs'));

  return {
    cause: 'CPU_THROTTLE_BURSTS',
    summary: `${name} is throttled in ${percent(throttledRatio)} of CFS periods while using only ${formatCores(usageCores)} of its ${formatCores(quotaCores)} limit on average: short bursts hit the quota`,
    confidence: clamp(0.45 + 0.5 * throttledRatio + 0.2 * (1 - usageRatio / BURST_USAGE_RATIO), 0, 0.9),
    severity: 'WARNING',
    facts,
    suggestions: [
      suggestion(
        `let ${name} carry unused quota into its bursts with CPU burst (Linux ≥ 5.14) of up to one quota, ${quotaMicroseconds} µs`,
        `echo ${quotaMicroseconds} > /sys/fs/cgroup${cgroup.path}/cpu.max.burst`,
        `cpu.max.burst=${quotaMicroseconds} (cgroup v2) or cpu.cfs_burst_us=${quotaMicroseconds} (v1)`,
      ),
      suggestion(
        `or raise the CPU limit to ${formatCores(newLimitCores)} so bursts of ≈ ${formatCores(burstDemandCores)} fit (average usage stays at ${formatCores(usageCores)}; the request can stay where it is)`,
        workload && pod ? `kubectl -n ${cgroup.pod!.namespace ?? 'default'} set resources ${workload}${container ? ` -c ${container}` : ''} --limits=cpu=${milliCores(newLimitCores)}` : null,
        pod ? `resources.limits.cpu: ${milliCores(newLimitCores)}` : null,
      ),
    ],
  };
}
