import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import type { Evidence, Finding } from '../core/evidence.js';
import type { CgroupView } from '../core/scene-view.js';
import { cgroupLabel, cgroupLatest, latestGauge, percent } from './memory-reading.js';

/** Usage at or above this share of the limit is "high" for a cgroup. */
const HIGH_USAGE_RATIO = 0.8;
/** inactive_file at least this share of usage is what makes usage high. */
const MIN_INACTIVE_FILE_SHARE = 0.3;
/** kubelet's working set below this share of the limit is low: nothing to evict or OOM-kill for. */
const LOW_WORKING_SET_RATIO = 0.7;

/**
 * Memory usage high but the working set low, the gap being inactive_file: page cache of files the
 * workload read or wrote and no longer touches, which the kernel reclaims on demand before it
 * OOM-kills anything. Not a leak; alerts on `usage` (memory.current, container_memory_usage_bytes)
 * should use the working set. Checked per cgroup with a limit, and for the node when the anomaly
 * is about free memory while MemAvailable is ample.
 */
export function pageCacheNotLeak(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  let best: { cgroup: CgroupView; usage: number; limit: number; inactiveFile: number; workingSet: number } | undefined;
  for (const cgroup of scene.cgroups()) {
    const usage = cgroupLatest(scene, cgroup, 'memory_usage_bytes');
    const limit = cgroupLatest(scene, cgroup, 'memory_limit_bytes');
    const inactiveFile = cgroupLatest(scene, cgroup, 'memory_stat_inactive_file_bytes');
    if (usage === undefined || limit === undefined || inactiveFile === undefined || limit <= 0) continue;
    const workingSet = cgroupLatest(scene, cgroup, 'memory_working_set_bytes') ?? Math.max(0, usage - inactiveFile);
    if (usage < HIGH_USAGE_RATIO * limit || inactiveFile < MIN_INACTIVE_FILE_SHARE * usage || workingSet >= LOW_WORKING_SET_RATIO * limit) continue;
    if (!best || inactiveFile > best.inactiveFile) best = { cgroup, usage, limit, inactiveFile, workingSet };
  }
  if (best) {
    const { cgroup, usage, limit, inactiveFile, workingSet } = best;
    const name = cgroupLabel(cgroup);
    const activeFile = cgroupLatest(scene, cgroup, 'memory_stat_active_file_bytes');
    const anon = cgroupLatest(scene, cgroup, 'memory_stat_anon_bytes');
    const facts = [
      fact('usage / limit', usage / limit, 'ratio', name),
      fact('inactive_file (reclaimable page cache)', inactiveFile, 'bytes', name),
      fact('working set (usage − inactive_file)', workingSet, 'bytes', name),
      fact('usage', usage, 'bytes', name),
      fact('limit', limit, 'bytes', name),
    ];
    if (anon !== undefined) facts.push(fact('anon', anon, 'bytes', name));
    if (activeFile !== undefined) facts.push(fact('active_file', activeFile, 'bytes', name));
    return {
      cause: 'PAGE_CACHE_NOT_LEAK',
      summary: `${name} uses ${percent(usage / limit)} of its ${formatBytes(limit)} limit, but ${formatBytes(inactiveFile)} of it is inactive page cache: its working set is only ${formatBytes(workingSet)} (${percent(workingSet / limit)}) — not a leak`,
      confidence: clamp(0.5 + 0.3 * (inactiveFile / usage), 0, 0.8),
      severity: 'INFO',
      facts,
      suggestions: [
        suggestion('inactive_file is file data read or written earlier and not touched since; the kernel drops it when the cgroup needs memory, before any OOM kill — nothing to fix'),
        suggestion('alert on the working set (what kubelet evicts on and `kubectl top` shows), not on usage', null, 'container_memory_working_set_bytes / cgroup_memory_working_set_bytes instead of container_memory_usage_bytes'),
        suggestion('see the split yourself', `grep -E '^(anon|file|active_file|inactive_file) ' /sys/fs/cgroup${cgroup.path}/memory.stat`),
      ],
    };
  }
  // The node: free memory low, available memory ample — the rest is cache.
  if (!/MemFree|Cached|Buffers/.test(evidence.metric)) return undefined;
  const total = latestGauge(scene, 'node_memory_MemTotal_bytes');
  const free = latestGauge(scene, 'node_memory_MemFree_bytes');
  const available = latestGauge(scene, 'node_memory_MemAvailable_bytes');
  const cached = latestGauge(scene, 'node_memory_Cached_bytes');
  const inactiveFile = latestGauge(scene, 'node_memory_Inactive_file_bytes');
  if (total === undefined || free === undefined || available === undefined || cached === undefined) return undefined;
  if (available < 0.3 * total || cached < 0.3 * total) return undefined;
  return {
    cause: 'PAGE_CACHE_NOT_LEAK',
    summary: `node MemFree is ${formatBytes(free)} but MemAvailable is ${formatBytes(available)} (${percent(available / total)}): ${formatBytes(cached)} is page cache, not a leak`,
    confidence: 0.6,
    severity: 'INFO',
    facts: [
      fact('MemAvailable', available, 'bytes', 'node_memory_MemAvailable_bytes'),
      fact('MemFree', free, 'bytes', 'node_memory_MemFree_bytes'),
      fact('Cached', cached, 'bytes', 'node_memory_Cached_bytes'),
      ...(inactiveFile !== undefined ? [fact('Inactive(file)', inactiveFile, 'bytes', 'node_memory_Inactive_file_bytes')] : []),
      fact('MemTotal', total, 'bytes', 'node_memory_MemTotal_bytes'),
    ],
    suggestions: [
      suggestion('Linux keeps free memory as page cache; MemAvailable counts what it can reclaim — alert on MemAvailable, not MemFree', null, 'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.1'),
    ],
  };
}
