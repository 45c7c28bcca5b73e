import type { Sample } from '../../../src/codec/records.generated.js';
import { numberField, sample } from './samples.js';

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
export function parseStat(text: string, clockTicksPerSecond: number = defaultClockTicksPerSecond): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const [key, ...fields] = line.trim().split(/\s+/);
    if (!key) continue;
    if (/^cpu\d+$/.test(key)) {
      const cpu = key.slice(3);
      cpuModes.forEach((mode, index) => {
        if (index < fields.length) {
          samples.push(sample('node_cpu_seconds_total', numberField(fields[index], `stat ${key} ${mode}`) / clockTicksPerSecond, { cpu, mode }));
        }
      });
      guestModes.forEach((mode, index) => {
        const field = cpuModes.length + index;
        if (field < fields.length) {
          samples.push(sample('node_cpu_guest_seconds_total', numberField(fields[field], `stat ${key} guest ${mode}`) / clockTicksPerSecond, { cpu, mode }));
        }
      });
      continue;
    }
    const name = singleValueFamilies[key];
    if (name) samples.push(sample(name, numberField(fields[0], `stat ${key}`)));
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
