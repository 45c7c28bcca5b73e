import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from './problems.js';
import { sample } from './samples.js';

/**
 * /proc/schedstat, the `cpu<N>` lines (Documentation/scheduler/sched-stats.rst: the 7th to 9th
 * numbers are time running, time waiting on the run queue, both in ns, and timeslices run) →
 * node_schedstat_running_seconds_total{cpu}, node_schedstat_waiting_seconds_total{cpu} (run-queue
 * delay) and node_schedstat_timeslices_total{cpu}, node_exporter's names; ns / 1e9 as it divides,
 * so values are bit-identical. `version`, `timestamp` and `domain` lines are not read.
 */
export function parseSchedstat(text: string, problems: Problems): Sample[] {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const [first = '', ...values] = line.trim().split(/\s+/);
    if (!first.startsWith('cpu')) continue;
    const cpu = first.slice(3);
    if (!/^\d+$/.test(cpu) || values.length < 9 || seen.has(cpu)) {
      problems.report(`schedstat: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    seen.add(cpu);
    const [running, waiting, timeslices] = values.slice(6, 9).map((value) => (/^\d{1,20}$/.test(value) ? Number(value) : undefined));
    if (running === undefined || waiting === undefined || timeslices === undefined) {
      problems.report(`schedstat cpu${cpu}: expected integers, got ${JSON.stringify(values.slice(6, 9).join(' ').slice(0, 80))}`);
    }
    const labels = { cpu };
    if (running !== undefined) samples.push(sample('node_schedstat_running_seconds_total', running / 1e9, labels));
    if (waiting !== undefined) samples.push(sample('node_schedstat_waiting_seconds_total', waiting / 1e9, labels));
    if (timeslices !== undefined) samples.push(sample('node_schedstat_timeslices_total', timeslices, labels));
  }
  return samples;
}
