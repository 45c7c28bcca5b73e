import type { Sample } from '../../../src/codec/records.generated.js';
import { numberOrReport, type Problems } from './problems.js';
import { sample } from './samples.js';

/** Linux exposes /proc times in USER_HZ ticks, 100 per second on every mainstream architecture. */
export const defaultClockTicksPerSecond = 100;

const cpuModes = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
const guestModes = ['user', 'nice'] as const;

/**
 * /proc/stat → node_exporter's families: node_cpu_seconds_total{cpu,mode} and
 * node_cpu_guest_seconds_total{cpu,mode} per CPU (the all-CPU `cpu` line is skipped, as
 * node_exporter does: it is the sum), node_intr_total, node_context_switches_total,
 * node_boot_time_seconds, node_forks_total, node_procs_running, node_procs_blocked.
 * Guest time is reported as the kernel does: it is also included in user / nice.
 */
export function parseStat(text: string, problems: Problems, clockTicksPerSecond: number = defaultClockTicksPerSecond): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const [key, ...fields] = line.trim().split(/\s+/);
    if (!key) continue;
    if (/^cpu\d+$/.test(key)) {
      const cpu = key.slice(3);
      cpuModes.forEach((mode, index) => {
        const ticks = index < fields.length ? numberOrReport(fields[index], `stat ${key} ${mode}`, problems) : undefined;
        if (ticks !== undefined) samples.push(sample('node_cpu_seconds_total', ticks / clockTicksPerSecond, { cpu, mode }));
      });
      guestModes.forEach((mode, index) => {
        const field = cpuModes.length + index;
        const ticks = field < fields.length ? numberOrReport(fields[field], `stat ${key} guest ${mode}`, problems) : undefined;
        if (ticks !== undefined) samples.push(sample('node_cpu_guest_seconds_total', ticks / clockTicksPerSecond, { cpu, mode }));
      });
      continue;
    }
    const name = singleValueFamilies[key];
    const value = name ? numberOrReport(fields[0], `stat ${key}`, problems) : undefined;
    if (name && value !== undefined) samples.push(sample(name, value));
  }
  return samples;
}

/** Lines of /proc/stat whose first number is the value (for `intr`, the total of all interrupts). */
const singleValueFamilies: Record<string, string> = {
  intr: 'node_intr_total',
  ctxt: 'node_context_switches_total',
  btime: 'node_boot_time_seconds',
  processes: 'node_forks_total',
  procs_running: 'node_procs_running',
  procs_blocked: 'node_procs_blocked',
};
