/**
 * Scenes for the memory rules, shaped exactly like the collector's samples (names, labels, units of
 * services/collector/README.md), several snapshots 5 s apart. Numbers are chosen to sit on either
 * side of each rule's thresholds; the recorded OOM kill and the captures are in captures.ts.
 */
import type { SceneSample } from '../../../../src/codec/records.generated.js';
import { T0 } from './scenes.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const POD = { namespace: 'shop', pod: 'cart-7d9f', container: 'app', owner_kind: 'Deployment', owner_name: 'cart' };
export const POD_CGROUP = '/kubepods/burstable/pod1f2e/0123abcd';

export const at = (snapshot: number, name: string, value: number, labels: Record<string, string> = {}): SceneSample => ({ name, labels, value, timestampMs: T0 + snapshot * 5_000 });

/** Node meminfo for every snapshot: 32 GiB, the given MemAvailable and extra fields. */
export function node(snapshots: number, available: (i: number) => number, extra: Record<string, (i: number) => number> = {}): SceneSample[] {
  const out: SceneSample[] = [];
  for (let i = 0; i < snapshots; i++) {
    out.push(at(i, 'node_memory_MemTotal_bytes', 32 * GiB), at(i, 'node_memory_MemAvailable_bytes', available(i)));
    for (const [field, value] of Object.entries(extra)) out.push(at(i, `node_memory_${field}_bytes`, value(i)));
  }
  return out;
}

/** A container cgroup's memory samples per snapshot (v2 names), kubelet's and the active working set derived as the collector does. */
export function cgroup(snapshots: number, memory: (i: number) => { usage: number; limit?: number; inactiveFile: number; activeFile?: number; anon?: number; slabUnreclaimable?: number; slab?: number; shmem?: number; oomKills?: number; maxEvents?: number }, path = POD_CGROUP, labels: Record<string, string> = POD): SceneSample[] {
  const out: SceneSample[] = [];
  for (let i = 0; i < snapshots; i++) {
    const m = memory(i);
    const l = { cgroup: path, ...labels };
    const anon = m.anon ?? m.usage - m.inactiveFile - (m.activeFile ?? 0);
    out.push(at(i, 'cgroup_memory_usage_bytes', m.usage, l));
    if (m.limit !== undefined) out.push(at(i, 'cgroup_memory_limit_bytes', m.limit, l));
    out.push(at(i, 'cgroup_memory_working_set_bytes', Math.max(0, m.usage - m.inactiveFile), l));
    out.push(at(i, 'cgroup_memory_active_working_set_bytes', anon + (m.activeFile ?? 0), l));
    out.push(at(i, 'cgroup_memory_stat_anon_bytes', anon, l), at(i, 'cgroup_memory_stat_inactive_anon_bytes', anon, l), at(i, 'cgroup_memory_stat_active_anon_bytes', 0, l));
    out.push(at(i, 'cgroup_memory_stat_inactive_file_bytes', m.inactiveFile, l), at(i, 'cgroup_memory_stat_active_file_bytes', m.activeFile ?? 0, l));
    if (m.slab !== undefined) out.push(at(i, 'cgroup_memory_stat_slab_bytes', m.slab, l));
    if (m.slabUnreclaimable !== undefined) out.push(at(i, 'cgroup_memory_stat_slab_unreclaimable_bytes', m.slabUnreclaimable, l));
    if (m.shmem !== undefined) out.push(at(i, 'cgroup_memory_stat_shmem_bytes', m.shmem, l));
    if (m.oomKills !== undefined) out.push(at(i, 'cgroup_memory_events_oom_kill_total', m.oomKills, l));
    if (m.maxEvents !== undefined) out.push(at(i, 'cgroup_memory_events_max_total', m.maxEvents, l));
  }
  return out;
}

/** A process's samples per snapshot: rss and RssAnon, threads, and process_info with its command line. */
export function process(snapshots: number, pid: number, comm: string, rss: (i: number) => number, extra: { cmdline?: string; cgroup?: string; pod?: Record<string, string>; threads?: number; shmem?: (i: number) => number } = {}): SceneSample[] {
  const out: SceneSample[] = [];
  for (let i = 0; i < snapshots; i++) {
    const l = { pid: String(pid), comm, state: 'S', ...(extra.cgroup ? { cgroup: extra.cgroup } : {}), ...(extra.pod ?? {}) };
    out.push(at(i, 'process_rss_bytes', rss(i), l), at(i, 'process_resident_anon_bytes', rss(i) - 8 * MiB, l), at(i, 'process_resident_file_bytes', 8 * MiB, l));
    if (extra.shmem) out.push(at(i, 'process_resident_shmem_bytes', extra.shmem(i), l));
    if (extra.threads !== undefined) out.push(at(i, 'process_threads', extra.threads, l));
    if (extra.cmdline !== undefined) out.push(at(i, 'process_info', 1, { ...l, cmdline: extra.cmdline, ppid: '1' }));
  }
  return out;
}
