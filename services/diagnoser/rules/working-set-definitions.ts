import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import type { Evidence, Finding } from '../core/evidence.js';
import type { CgroupView } from '../core/scene-view.js';
import { cgroupLabel, cgroupLatest, MiB, percent } from './memory-reading.js';

/** A gap this large (share of kubelet's working set, and in bytes) makes the two figures tell different stories. */
const MIN_GAP_SHARE = 0.25;
const MIN_GAP_BYTES = 64 * MiB;

/**
 * `kubectl top` and a monitor disagree on a container's memory because they use two working sets:
 * kubelet's usage − inactive_file (what `kubectl top` shows and evictions use) and the LRU-based
 * inactive_anon + active_anon + active_file. The gap is memory on no LRU list — kernel memory: slab
 * (dentries, inodes, kmalloc), kernel stacks, page tables, socket buffers. Reported when the gap is
 * large and the anomaly is about a working set, or kubelet's figure is near the limit.
 */
export function workingSetDefinitionsDiffer(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const askedAboutWorkingSet = /working_set/.test(evidence.metric);
  let best: { cgroup: CgroupView; kubelet: number; active: number; limit: number | undefined } | undefined;
  for (const cgroup of scene.cgroups()) {
    const kubelet = cgroupLatest(scene, cgroup, 'memory_working_set_bytes');
    const active = cgroupLatest(scene, cgroup, 'memory_active_working_set_bytes');
    if (kubelet === undefined || active === undefined) continue;
    const gap = kubelet - active;
    const limit = cgroupLatest(scene, cgroup, 'memory_limit_bytes');
    if (gap < MIN_GAP_BYTES || gap < MIN_GAP_SHARE * kubelet) continue;
    if (!askedAboutWorkingSet && !(limit !== undefined && kubelet >= 0.8 * limit)) continue;
    if (!best || gap > best.kubelet - best.active) best = { cgroup, kubelet, active, limit };
  }
  if (!best) return undefined;
  const { cgroup, kubelet, active, limit } = best;
  const name = cgroupLabel(cgroup);
  const gap = kubelet - active;
  const part = (field: string) => cgroupLatest(scene, cgroup, `memory_stat_${field}_bytes`);
  const slab = part('slab') ?? ((part('slab_reclaimable') ?? 0) + (part('slab_unreclaimable') ?? 0) || undefined);
  const kernelParts: [string, number | undefined][] = [
    ['slab', slab], ['slab_unreclaimable', part('slab_unreclaimable')], ['kernel_stack', part('kernel_stack')], ['pagetables', part('pagetables')], ['sock', part('sock')], ['kernel (all)', part('kernel')],
  ];
  const explained = slab ?? part('kernel');
  const facts = [
    fact('kubelet working set (usage − inactive_file, `kubectl top`)', kubelet, 'bytes', name),
    fact('active working set (inactive_anon + active_anon + active_file)', active, 'bytes', name),
    fact('gap', gap, 'bytes', name),
    ...kernelParts.filter(([, v]) => v !== undefined).map(([field, v]) => fact(`memory.stat ${field}`, v!, 'bytes', name)),
  ];
  if (limit !== undefined) facts.push(fact('memory limit', limit, 'bytes', name));
  return {
    cause: 'WORKING_SET_DEFINITIONS_DIFFER',
    summary: `${name}: \`kubectl top\` shows ${formatBytes(kubelet)} but the active working set is ${formatBytes(active)} — the ${formatBytes(gap)} gap is kernel memory${explained !== undefined ? ` (slab ${formatBytes(explained)}, ${percent(Math.min(1, explained / gap))} of the gap)` : ''}, counted by kubelet's definition only`,
    confidence: clamp(0.45 + 0.3 * (explained !== undefined ? Math.min(1, explained / gap) : 0) + (askedAboutWorkingSet ? 0.1 : 0), 0, 0.8),
    severity: limit !== undefined && kubelet >= 0.9 * limit ? 'WARNING' : 'INFO',
    facts,
    suggestions: [
      suggestion('compare like with like: kubelet evicts and `kubectl top` reports usage − inactive_file; dashboards on active/inactive LRU sums leave kernel memory out', null, 'cgroup_memory_working_set_bytes (kubelet) vs cgroup_memory_active_working_set_bytes'),
      suggestion('see which slab caches the container holds (dentries and inodes from many files, sockets)', `cat /sys/fs/cgroup${cgroup.path}/memory.stat | grep -E 'slab|kernel|sock|pagetables'; sudo slabtop -o -s c | head -15`),
      suggestion('if slab_reclaimable dominates it is freed under pressure; if slab_unreclaimable grows see SLAB_UNRECLAIMABLE_GROWTH'),
    ],
  };
}
