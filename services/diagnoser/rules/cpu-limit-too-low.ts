import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, suggestion } from '../core/format.js';
import { milliCores, quotaSetting, suggestedCpuLimitCores, throttlingOf, type Throttling } from './cpu-throttling.js';
import { cgroupName, formatCores, percent, podName, processesIn, processLabel, threadsOf, workloadRef } from './scene-reading.js';

/** Throttled in at least this share of its CFS periods: the quota, not the workload, sets the pace. */
export const HEAVY_THROTTLED_RATIO = 0.5;
/** Average usage below this share of the quota is bursts (CPU_THROTTLE_BURSTS), not a limit too small. */
export const BURST_USAGE_RATIO = 0.5;

/**
 * Load from runnable threads in one cgroup whose CFS quota throttles most periods: the CPU limit is
 * smaller than what the workload needs. The suggested limit is the usage plus the run time lost to
 * throttling (what it wanted), with 30 % headroom.
 */
export function cpuLimitTooLow(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  let worst: Throttling | undefined;
  for (const cgroup of scene.cgroups()) {
    const throttling = throttlingOf(cgroup);
    if (!throttling || throttling.throttledRatio < HEAVY_THROTTLED_RATIO) continue;
    if (throttling.usageCores !== undefined && throttling.usageCores < BURST_USAGE_RATIO * throttling.quotaCores) continue;
    if (!worst || throttling.throttledRatio > worst.throttledRatio) worst = throttling;
  }
  if (!worst) return undefined;

  const { cgroup, quotaCores, throttledRatio } = worst;
  const name = cgroupName(cgroup);
  // Heavily throttled means it ran up to its quota in those periods: without a usage counter, take the quota.
  const usageCores = worst.usageCores ?? quotaCores;
  const demandCores = usageCores + (worst.throttledCores ?? 0);
  const newLimitCores = suggestedCpuLimitCores(demandCores, quotaCores);
  const runnable = processesIn(scene, cgroup).filter((process) => process.state === 'R');
  const runnableThreads = runnable.reduce((sum, process) => sum + threadsOf(process), 0);
  const load1 = scene.latest('node_load1');

  const facts = [
    fact('throttled CFS periods', throttledRatio, 'ratio', `${worst.throttledPeriods} of ${worst.periods} periods, ${cgroup.path}`),
    fact('CPU quota', quotaCores, 'cores', cgroup.path),
    fact(worst.usageCores === undefined ? 'CPU usage (taken as the quota: no usage counter in the scene)' : 'CPU usage', usageCores, 'cores', cgroup.path),
  ];
  if (worst.throttledCores !== undefined) facts.push(fact('run time lost to throttling', worst.throttledCores, 'cores', 'throttled seconds per second, summed over CPUs'));
  facts.push(fact('estimated CPU demand', demandCores, 'cores', 'usage + throttled run time'));
  if (runnable.length > 0) facts.push(fact('runnable (R) threads in the cgroup', runnableThreads, 'threads', runnable.slice(0, 5).map(processLabel).join(', ')));
  if (load1 !== undefined) facts.push(fact('node load1', load1, '', 'node_load1'));

  const pod = podName(cgroup.pod);
  const workload = workloadRef(cgroup.pod);
  const container = cgroup.pod?.container;
  const suggestions = [
    suggestion(
      `raise the CPU limit of ${name} from ${formatCores(quotaCores)} to ${formatCores(newLimitCores)}: it used ${formatCores(usageCores)} and lost ${formatCores(worst.throttledCores ?? 0)} to throttling (≈ ${formatCores(demandCores)} wanted), plus 30 % headroom`,
      workload && pod
        ? `kubectl -n ${cgroup.pod!.namespace ?? 'default'} set resources ${workload}${container ? ` -c ${container}` : ''} --limits=cpu=${milliCores(newLimitCores)}`
        : null,
      pod ? `resources.limits.cpu: ${milliCores(newLimitCores)}` : quotaSetting(cgroup.path, newLimitCores),
    ),
    suggestion(
      `watch the throttling fall after the change (nr_throttled / nr_periods)`,
      `cat /sys/fs/cgroup${cgroup.path}/cpu.stat`,
    ),
  ];
  if (runnable.length > 0) suggestions.push(suggestion(`see which threads of ${processLabel(runnable[0]!)} are runnable`, `top -H -p ${runnable[0]!.pid}`));

  return {
    cause: 'CPU_LIMIT_TOO_LOW',
    summary: `${name} is throttled in ${percent(throttledRatio)} of CFS periods at its ${formatCores(quotaCores)} CPU limit${runnable.length > 0 ? ` with ${runnableThreads} runnable threads` : ''}: the limit is too low for ≈ ${formatCores(demandCores)} of demand`,
    confidence: clamp(0.45 + 0.4 * throttledRatio + (runnable.length > 0 ? 0.1 : 0), 0, 0.95),
    severity: throttledRatio >= 0.9 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions,
  };
}
