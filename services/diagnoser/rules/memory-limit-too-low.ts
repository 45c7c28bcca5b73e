import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import type { Evidence, Finding } from '../core/evidence.js';
import type { CgroupView } from '../core/scene-view.js';
import { cgroupLabel, cgroupLatest, cgroupPoints, containerSpec, counterIncrease, limitFromPeak, percent, setMemoryLimitCommand, trendOf, type Trend } from './memory-reading.js';

/** kubelet's working set at or above this share of the limit, in every reading, is "at the limit". */
export const NEAR_LIMIT_RATIO = 0.9;
/** Growth across the scene below this share of the limit is steady (more is a leak's business). */
const STEADY_GROWTH_RATIO = 0.03;

interface Candidate {
  cgroup: CgroupView;
  limit: number;
  trend: Trend;
  /** memory.events max (v2) / failcnt (v1) increase: the kernel had to reclaim at the limit. */
  limitHits: number | undefined;
}

/**
 * A container (cgroup) whose working set stays steady just under its memory limit: not a leak, a
 * limit below what the workload needs, so it reclaims its own cache at the limit and is one burst
 * from an OOM kill. Suggests a limit from the observed peak plus headroom. One snapshot is enough to
 * see "at the limit", not "steady": then the confidence is lower and the report says so.
 */
export function memoryLimitTooLow(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const candidates: Candidate[] = [];
  for (const cgroup of scene.cgroups()) {
    const limit = cgroupLatest(scene, cgroup, 'memory_limit_bytes');
    if (limit === undefined || limit <= 0) continue;
    const trend = trendOf(cgroupPoints(scene, cgroup, 'memory_working_set_bytes'));
    if (!trend || !trend.points.every((p) => p.value >= NEAR_LIMIT_RATIO * limit)) continue;
    if (trend.growth > STEADY_GROWTH_RATIO * limit && trend.rises >= 0.75) continue;
    candidates.push({ cgroup, limit, trend, limitHits: counterIncrease(scene, 'cgroup_memory_events_max_total', { cgroup: cgroup.path }) });
  }
  if (candidates.length === 0) return undefined;
  const top = candidates.reduce((best, c) => (c.trend.peak / c.limit > best.trend.peak / best.limit ? c : best));
  const { cgroup, limit, trend, limitHits } = top;
  const name = cgroupLabel(cgroup);
  const spec = containerSpec(evidence.kubernetes, cgroup.pod?.container);
  const usagePeak = Math.max(...cgroupPoints(scene, cgroup, 'memory_usage_bytes').map((p) => p.value), 0);
  const next = limitFromPeak(trend.peak);
  const steady = trend.points.length >= 2;
  const missing = steady ? [] : [`one reading of ${name}'s working set: steady near the limit not established over time`];

  const facts = [
    fact('working set / limit', trend.peak / limit, 'ratio', `${name}, kubelet's working set (usage − inactive_file)`),
    fact('working set peak', trend.peak, 'bytes', name),
    fact('memory limit', limit, 'bytes', spec?.limits.memory ? `${name}, resources.limits.memory ${spec.limits.memory}` : name),
    fact('working set change across the scene', trend.growth, 'bytes', `over ${trend.seconds.toFixed(1)} s, ${trend.points.length} readings`),
  ];
  if (usagePeak > 0) facts.push(fact('usage peak (with page cache)', usagePeak, 'bytes', name));
  if (limitHits !== undefined) facts.push(fact('times it hit the limit (memory.events max / failcnt)', limitHits, 'events', name));

  return {
    cause: 'MEMORY_LIMIT_TOO_LOW',
    summary: `${name} is steady at ${percent(trend.peak / limit)} of its ${formatBytes(limit)} memory limit (working set ${formatBytes(trend.peak)}): the limit is too low, raise it to ${next.mebibytes} MiB`,
    confidence: clamp(0.5 + (steady ? 0.2 : 0) + ((limitHits ?? 0) > 0 ? 0.1 : 0) + (trend.peak / limit - NEAR_LIMIT_RATIO), 0, 0.85),
    severity: trend.peak / limit >= 0.97 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion(
        `raise the memory limit to ${next.mebibytes} MiB: ${next.why}; a working set pinned at the limit means the workload needs more, not that it leaks`,
        setMemoryLimitCommand(cgroup.pod, evidence.kubernetes, next.mebibytes),
        `resources.limits.memory: ${next.mebibytes}Mi (requests.memory too for Guaranteed QoS), or memory.max=${next.mebibytes}M`,
      ),
      suggestion('or make the workload fit: cap its caches and pools (heap size, connection pools, in-memory caches) below the limit'),
      suggestion(`check that it is not growing over hours before raising it (a slow leak looks steady over seconds)`, cgroup.pod?.pod ? `kubectl -n ${cgroup.pod.namespace} top pod ${cgroup.pod.pod} --containers` : `cat /sys/fs/cgroup${cgroup.path}/memory.current`),
    ],
    ...(missing.length > 0 ? { missing } : {}),
  };
}
