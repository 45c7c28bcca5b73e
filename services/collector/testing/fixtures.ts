import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Sample } from '../../../src/codec/records.generated.js';

/** Absolute path of a file under test/fixtures (copies of real data with their sources cited). */
export function fixturePath(...parts: string[]): string {
  return fileURLToPath(new URL(['../../../test/fixtures', ...parts].join('/'), import.meta.url));
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

/** `name{a="1",b="2"}` with labels sorted, the identity of a series in exposition text. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const pairs = Object.keys(labels).sort().map((key) => `${key}=${JSON.stringify(labels[key])}`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/** Samples as series key → value, failing on duplicate series. */
export function seriesOf(samples: readonly Sample[]): Map<string, number> {
  const series = new Map<string, number>();
  for (const { name, labels, value } of samples) {
    const key = seriesKey(name, labels);
    if (series.has(key)) throw new Error(`duplicate series ${key}`);
    series.set(key, value);
  }
  return series;
}

/**
 * node_exporter's e2e-output.txt (Prometheus text format) for the fixture tree, as series key →
 * value, keeping only the metric names `include` accepts.
 */
export function nodeExporterOracle(include: (name: string) => boolean): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of readFixture('node_exporter', 'e2e-output.txt').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable exposition line ${JSON.stringify(line)}`);
    const [, name = '', labelText = '', valueText = ''] = match;
    if (!include(name)) continue;
    const labels: Record<string, string> = {};
    for (const [, key = '', quoted = '""'] of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)=("(?:[^"\\]|\\.)*")/g)) {
      labels[key] = JSON.parse(quoted) as string;
    }
    series.set(seriesKey(name, labels), Number(valueText));
  }
  return series;
}

/** Which e2e-output.txt families each /proc source produces (the oracle's side of the comparison). */
export const oracleFamilies = {
  stat: (name: string): boolean =>
    ['node_cpu_seconds_total', 'node_cpu_guest_seconds_total', 'node_intr_total', 'node_context_switches_total',
      'node_boot_time_seconds', 'node_forks_total', 'node_procs_running', 'node_procs_blocked'].includes(name),
  loadavg: (name: string): boolean => /^node_load(1|5|15)$/.test(name),
  meminfo: (name: string): boolean => name.startsWith('node_memory_') && !name.startsWith('node_memory_numa_'),
  vmstat: (name: string): boolean => name.startsWith('node_vmstat_'),
  pressure: (name: string): boolean => /^node_pressure_\w+_seconds_total$/.test(name),
};
