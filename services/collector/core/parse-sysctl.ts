import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from './problems.js';
import { sample } from './samples.js';

/** The kernel settings a diagnosis weighs (writeback, reclaim, overcommit, limits, backlogs). */
export const diagnosisSysctls = [
  'vm.dirty_ratio',
  'vm.dirty_background_ratio',
  'vm.dirty_bytes',
  'vm.dirty_background_bytes',
  'vm.dirty_expire_centisecs',
  'vm.dirty_writeback_centisecs',
  'vm.swappiness',
  'vm.min_free_kbytes',
  'vm.overcommit_memory',
  'vm.overcommit_ratio',
  'vm.max_map_count',
  'vm.vfs_cache_pressure',
  'kernel.pid_max',
  'kernel.threads-max',
  'fs.file-max',
  'net.core.somaxconn',
  'net.ipv4.tcp_max_syn_backlog',
  'net.core.netdev_max_backlog',
  'net.netfilter.nf_conntrack_max',
] as const;

/** Where a sysctl lives under the host paths: vm.dirty_ratio → proc/sys/vm/dirty_ratio. */
export function sysctlPath(name: string): string {
  return `proc/sys/${name.replaceAll('.', '/')}`;
}

/** node_exporter's sysctl collector name: vm.dirty_ratio → node_sysctl_vm_dirty_ratio, kernel.threads-max → node_sysctl_kernel_threads_max. */
export function sysctlMetricName(name: string): string {
  return `node_sysctl_${name.replace(/[^a-zA-Z0-9_:]/g, '_')}`;
}

/**
 * One sysctl file → node_sysctl_<name> as node_exporter's sysctl collector exports it: one value
 * as it is, several values (fs.file-nr, vm.lowmem_reserve_ratio) one sample each labelled {index}.
 * Values are integers; anything else is skipped and reported.
 */
export function parseSysctl(name: string, text: string, problems: Problems): Sample[] {
  const fields = text.trim().split(/\s+/).filter((field) => field !== '');
  const metric = sysctlMetricName(name);
  const values = fields.map((field) => (/^-?\d{1,20}$/.test(field) ? Number(field) : undefined));
  if (fields.length === 0 || values.includes(undefined)) {
    problems.report(`sysctl ${name}: expected integers, got ${JSON.stringify(text.trim().slice(0, 40))}`);
    return [];
  }
  if (values.length === 1) return [sample(metric, values[0] ?? 0)];
  return values.map((value, index) => sample(metric, value ?? 0, { index: String(index) }));
}
