import type { Sample } from '../../../../src/codec/records.generated.js';
import type { CgroupCpu } from './cpu.js';
import type { CgroupIo } from './io.js';
import { activeWorkingSetBytes, memoryStatUnit, workingSetBytes, type CgroupMemory } from './memory.js';
import type { CgroupPressure } from './pressure.js';

/**
 * Samples of one cgroup, appended to `out`. `labels` ({cgroup, …attribution}) is shared by every
 * sample of the cgroup and frozen; a sample with a device gets its own frozen copy.
 */
type Labels = Readonly<Record<string, string>>;

const push = (out: Sample[], name: string, value: number | undefined, labels: Labels): void => {
  if (value !== undefined) out.push({ name, labels: labels as Record<string, string>, value });
};

/**
 * Sample names of memory.stat fields (`cgroup_memory_stat_anon_bytes`), or null for a field this
 * version does not know. Remembered: every cgroup has the same few dozen fields each cycle, and a
 * name built per sample was one string per field × cgroup × cycle, all kept until the batch is sent.
 * Bounded, should a damaged file invent field names.
 */
const memoryStatNames = new Map<string, string | null>();
const maxMemoryStatNames = 1024;

function memoryStatSampleName(field: string): string | null {
  let name = memoryStatNames.get(field);
  if (name === undefined) {
    const unit = memoryStatUnit(field);
    name = unit ? `cgroup_memory_stat_${field}_${unit}` : null;
    if (memoryStatNames.size < maxMemoryStatNames) memoryStatNames.set(field, name);
  }
  return name;
}

export function memorySamples(memory: CgroupMemory, labels: Labels, out: Sample[]): void {
  push(out, 'cgroup_memory_usage_bytes', memory.usageBytes, labels);
  push(out, 'cgroup_memory_limit_bytes', memory.limitBytes, labels);
  push(out, 'cgroup_memory_working_set_bytes', workingSetBytes(memory), labels);
  push(out, 'cgroup_memory_active_working_set_bytes', activeWorkingSetBytes(memory), labels);
  memory.stat.forEach((value, field) => { // forEach: no [field, value] array per field
    const name = memoryStatSampleName(field);
    if (name) push(out, name, value, labels);
  });
  push(out, 'cgroup_memory_events_high_total', memory.events.high, labels);
  push(out, 'cgroup_memory_events_max_total', memory.events.max, labels);
  push(out, 'cgroup_memory_events_oom_total', memory.events.oom, labels);
  push(out, 'cgroup_memory_events_oom_kill_total', memory.events.oomKill, labels);
}

export function cpuSamples(cpu: CgroupCpu, labels: Labels, out: Sample[]): void {
  push(out, 'cgroup_cpu_usage_seconds_total', cpu.usageSeconds, labels);
  push(out, 'cgroup_cpu_periods_total', cpu.periods, labels);
  push(out, 'cgroup_cpu_throttled_periods_total', cpu.throttledPeriods, labels);
  push(out, 'cgroup_cpu_throttled_seconds_total', cpu.throttledSeconds, labels);
  push(out, 'cgroup_cpu_quota_cores', cpu.quotaCores, labels);
}

export function ioSamples(io: CgroupIo, labels: Labels, out: Sample[]): void {
  for (const [device, { readBytes, writeBytes }] of io) {
    const deviceLabels = Object.freeze({ ...labels, device });
    push(out, 'cgroup_io_read_bytes_total', readBytes, deviceLabels);
    push(out, 'cgroup_io_write_bytes_total', writeBytes, deviceLabels);
  }
}

export interface CgroupPids {
  current?: number;
  limit?: number;
  maxEvents?: number;
}

export function pidsSamples(pids: CgroupPids, labels: Labels, out: Sample[]): void {
  push(out, 'cgroup_pids_current', pids.current, labels);
  push(out, 'cgroup_pids_limit', pids.limit, labels);
  push(out, 'cgroup_pids_events_max_total', pids.maxEvents, labels);
}

export const pressureResources = ['cpu', 'memory', 'io'] as const;
export type CgroupPressureResource = (typeof pressureResources)[number];

export function pressureSamples(resource: CgroupPressureResource, pressure: CgroupPressure, labels: Labels, out: Sample[]): void {
  for (const [kind, word] of [['some', 'waiting'], ['full', 'stalled']] as const) {
    const line = pressure[kind];
    if (!line) continue;
    push(out, `cgroup_pressure_${resource}_${word}_seconds_total`, line.seconds, labels);
    push(out, `cgroup_pressure_${resource}_${word}_avg10_ratio`, line.avg10Ratio, labels);
  }
}
