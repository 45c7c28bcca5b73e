import type { Fact } from '../../../src/codec/records.generated.js';
import { clamp, fact, formatBytes, formatBytesPerSecond, suggestion } from '../core/format.js';
import type { Evidence, Finding } from '../core/evidence.js';
import { cgroupLabel, cgroupPoints, gaugePoints, latestGauge, MiB, percent, processLabel, trendOf, type Trend } from './memory-reading.js';

/** Shmem growth that is a finding: this much, and this share of where it started. */
const MIN_GROWTH_BYTES = 128 * MiB;
const MIN_GROWTH_RATIO = 0.1;
/** Shmem this large a share of MemTotal is abnormal in one reading. */
const HIGH_SHARE = 0.25;

/**
 * Shared memory growing: files in tmpfs (/dev/shm, /run, emptyDir with medium Memory, /tmp on tmpfs)
 * and SysV / POSIX shared memory. It is charged like anonymous memory, cannot be reclaimed without
 * swap, and no process's RssAnon shows it (only RssShmem of the processes mapping it). From the
 * node's Shmem, a cgroup's shmem, or a process's RssShmem.
 */
export function shmemGrowth(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const grew = (t: Trend | undefined): t is Trend => t !== undefined && t.points.length >= 2 && t.growth >= MIN_GROWTH_BYTES && t.growth >= MIN_GROWTH_RATIO * t.first && t.rises >= 0.5;
  const total = latestGauge(scene, 'node_memory_MemTotal_bytes');
  const node = trendOf(gaugePoints(scene, 'node_memory_Shmem_bytes'));
  let subject: { name: string; trend: Trend; path?: string } | undefined;
  for (const cgroup of scene.cgroups()) {
    const trend = trendOf(cgroupPoints(scene, cgroup, 'memory_stat_shmem_bytes'));
    if (grew(trend) && (!subject || trend.growth > subject.trend.growth)) subject = { name: cgroupLabel(cgroup), trend, path: cgroup.path };
  }
  if (!subject) {
    for (const process of scene.processes()) {
      const trend = trendOf(process.metrics.get('resident_shmem_bytes')?.points ?? []);
      if (grew(trend) && (!subject || trend.growth > subject.trend.growth)) subject = { name: processLabel(process), trend };
    }
  }
  if (!subject && grew(node)) subject = { name: 'the node', trend: node };
  const high = !subject && node !== undefined && total !== undefined && node.last >= HIGH_SHARE * total;
  if (!subject && !high) return undefined;
  const trend = subject?.trend ?? node!;
  const name = subject?.name ?? 'the node';
  const facts: Fact[] = [fact('shmem', trend.last, 'bytes', name)];
  if (trend.points.length >= 2) facts.push(fact('shmem growth', trend.growth, 'bytes', `over ${trend.seconds.toFixed(1)} s`), fact('shmem growth rate', trend.ratePerSecond, 'bytes/s', name));
  if (node && subject?.name !== 'the node') facts.push(fact('node Shmem', node.last, 'bytes', 'node_memory_Shmem_bytes'));
  if (total !== undefined) facts.push(fact('node Shmem / MemTotal', (node?.last ?? trend.last) / total, 'ratio', 'node_memory_Shmem_bytes'));
  return {
    cause: 'SHMEM_GROWTH',
    summary: subject
      ? `shared memory (tmpfs / shm) of ${name} grew ${formatBytes(trend.growth)} at ${formatBytesPerSecond(trend.ratePerSecond)} to ${formatBytes(trend.last)}: files in memory no process RSS shows`
      : `node Shmem is ${formatBytes(trend.last)}, ${percent(trend.last / total!)} of RAM: files in tmpfs or shared memory segments`,
    confidence: subject ? clamp(0.55 + 0.25 * trend.rises, 0, 0.85) : 0.45,
    severity: total !== undefined && (node?.last ?? trend.last) >= 0.3 * total ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion('find the tmpfs that fills and what writes there', 'df -h -t tmpfs; sudo du -xsh /dev/shm/* /run/* 2>/dev/null | sort -h | tail'),
      suggestion('list SysV shared memory segments and their owners', 'ipcs -m -p'),
      suggestion('bound in-memory volumes: an emptyDir with medium Memory needs a sizeLimit, and counts against the pod limit', null, 'emptyDir: { medium: Memory, sizeLimit: 256Mi }'),
      suggestion('delete the files or segments no longer needed (ipcrm -m <shmid>); memory comes back only when they are removed'),
    ],
    ...(subject ? {} : { missing: ['one reading of Shmem: its growth is not known'] }),
  };
}
