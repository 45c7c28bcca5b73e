import { clamp, fact, formatBytes, formatBytesPerSecond, suggestion } from '../core/format.js';
import type { Evidence, Finding } from '../core/evidence.js';
import type { CgroupView } from '../core/scene-view.js';
import { cgroupLabel, cgroupPoints, gaugePoints, latestGauge, MiB, percent, trendOf, type Trend } from './memory-reading.js';

/** Node SUnreclaim growth across the scene that is a finding: this much, and this share of where it started. */
const MIN_GROWTH_BYTES = 64 * MiB;
const MIN_GROWTH_RATIO = 0.1;
/** SUnreclaim this large a share of MemTotal is abnormal even in one reading (a few % is normal). */
const HIGH_SHARE = 0.15;

/**
 * Unreclaimable slab growing ("memory black hole"): kernel objects — kmalloc caches, conntrack,
 * socket buffers, a leaking driver — that no reclaim frees and no process RSS shows. From the node's
 * SUnreclaim (two readings or the anomaly's window), or a cgroup's slab_unreclaimable; one reading
 * at an abnormal share of RAM counts with lower confidence.
 */
export function slabUnreclaimableGrowth(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const total = latestGauge(scene, 'node_memory_MemTotal_bytes');
  const node = trendOf(gaugePoints(scene, 'node_memory_SUnreclaim_bytes'));
  let subject: { name: string; trend: Trend; cgroup?: CgroupView } | undefined;
  if (node && node.points.length >= 2 && node.growth >= MIN_GROWTH_BYTES && node.growth >= MIN_GROWTH_RATIO * node.first && node.rises >= 0.5) subject = { name: 'node SUnreclaim', trend: node };
  for (const cgroup of scene.cgroups()) {
    const trend = trendOf(cgroupPoints(scene, cgroup, 'memory_stat_slab_unreclaimable_bytes'));
    if (!trend || trend.points.length < 2 || trend.growth < MIN_GROWTH_BYTES || trend.growth < MIN_GROWTH_RATIO * trend.first || trend.rises < 0.5) continue;
    if (!subject || (subject.cgroup && trend.growth > subject.trend.growth)) subject = { name: `${cgroupLabel(cgroup)} slab_unreclaimable`, trend, cgroup };
  }
  const single = !subject && node && total !== undefined && node.last >= HIGH_SHARE * total;
  if (!subject && !single) return undefined;
  const trend = subject?.trend ?? node!;
  const name = subject?.name ?? 'node SUnreclaim';
  const facts = [
    fact('unreclaimable slab', trend.last, 'bytes', name),
    ...(trend.points.length >= 2 ? [fact('growth', trend.growth, 'bytes', `over ${trend.seconds.toFixed(1)} s`), fact('growth rate', trend.ratePerSecond, 'bytes/s', name)] : []),
    ...(total !== undefined ? [fact('share of MemTotal', trend.last / total, 'ratio', name)] : []),
  ];
  const reclaimable = latestGauge(scene, 'node_memory_SReclaimable_bytes');
  if (reclaimable !== undefined) facts.push(fact('node SReclaimable (for comparison)', reclaimable, 'bytes', 'freed under pressure'));
  const conntrack = latestGauge(scene, 'node_nf_conntrack_entries');
  if (conntrack !== undefined) facts.push(fact('conntrack entries', conntrack, 'entries', 'each holds unreclaimable slab'));
  return {
    cause: 'SLAB_UNRECLAIMABLE_GROWTH',
    summary: subject
      ? `${name} grew ${formatBytes(trend.growth)} at ${formatBytesPerSecond(trend.ratePerSecond)} to ${formatBytes(trend.last)}: kernel memory no process shows and no reclaim frees`
      : `node SUnreclaim is ${formatBytes(trend.last)}, ${percent(trend.last / total!)} of RAM: kernel memory no process shows and no reclaim frees`,
    confidence: subject ? clamp(0.55 + 0.2 * trend.rises + (total !== undefined ? Math.min(0.15, trend.last / total) : 0), 0, 0.85) : 0.45,
    severity: total !== undefined && trend.last >= 0.25 * total ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion('find the growing cache (run twice, compare)', 'sudo slabtop -o -s c | head -20'),
      suggestion('kmalloc-* caches growing point at a kernel or driver leak; nf_conntrack, sock_inode_cache, TCP at connection churn; check the kernel log and the modules loaded', "sudo grep -E '^(kmalloc|nf_conntrack|sock|TCP|dentry|inode)' /proc/slabinfo | sort -k3 -n | tail"),
      suggestion('a cgroup that creates many short-lived containers or sockets can leave dying memcgs pinning slab', 'grep nr_dying_descendants /sys/fs/cgroup/cgroup.stat'),
      suggestion('once the cache is known: upgrade the kernel or module with the fix, or drain the node and reboot it to reclaim the memory', 'kubectl drain <node> --ignore-daemonsets --delete-emptydir-data'),
    ],
    ...(subject ? {} : { missing: ['one reading of SUnreclaim: its growth is not known'] }),
  };
}
