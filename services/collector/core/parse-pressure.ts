import type { Sample } from '../../../src/codec/records.generated.js';
import { numberOrReport, type Problems } from './problems.js';
import { sample } from './samples.js';

/** The resources with a file under /proc/pressure/. */
export const pressureResources = ['cpu', 'memory', 'io', 'irq'] as const;
export type PressureResource = (typeof pressureResources)[number];

const windows = ['avg10', 'avg60', 'avg300'] as const;

/**
 * One /proc/pressure/<resource> file → node_exporter's counters plus the kernel's moving averages:
 * - `some` → node_pressure_<resource>_waiting_seconds_total (total µs / 1e6, divided as node_exporter
 *   does so the values are bit-identical), and node_pressure_<resource>_waiting_avg{10,60,300}_ratio;
 * - `full` → node_pressure_<resource>_stalled_seconds_total and
 *   node_pressure_<resource>_stalled_avg{10,60,300}_ratio.
 * The ratios are the kernel's percentages / 100 (share of wall time in the last 10 s, 60 s, 300 s).
 * System-wide `full` for cpu is undefined (the kernel prints zeros since 5.13) and node_exporter
 * drops it; so do we.
 */
export function parsePressure(resource: PressureResource, text: string, problems: Problems): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const [kind, ...pairs] = line.trim().split(/\s+/);
    if (!kind) continue;
    if (kind !== 'some' && kind !== 'full') {
      problems.report(`pressure/${resource}: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    if (kind === 'full' && resource === 'cpu') continue;
    const values = new Map(pairs.map((pair) => pair.split('=') as [string, string | undefined]));
    const prefix = `node_pressure_${resource}_${kind === 'some' ? 'waiting' : 'stalled'}`;
    const totalMicroseconds = numberOrReport(values.get('total'), `pressure/${resource} ${kind} total`, problems);
    if (totalMicroseconds !== undefined) samples.push(sample(`${prefix}_seconds_total`, totalMicroseconds / 1000 / 1000));
    for (const window of windows) {
      const percent = numberOrReport(values.get(window), `pressure/${resource} ${kind} ${window}`, problems);
      if (percent !== undefined) samples.push(sample(`${prefix}_${window}_ratio`, percent / 100));
    }
  }
  return samples;
}
