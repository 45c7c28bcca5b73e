/**
 * Counters to per-second rates. A counter is a metric whose name ends in `_total`, or a
 * /proc/vmstat event counter (`node_vmstat_<field>`, except the `nr_*` gauges and the few other
 * fields that are levels, not events).
 */
const vmstatGauges = new Set(['workingset_nodes']);

export function isCounter(metric: string): boolean {
  if (metric.endsWith('_total')) return true;
  if (!metric.startsWith('node_vmstat_')) return false;
  const field = metric.slice('node_vmstat_'.length);
  return !field.startsWith('nr_') && !vmstatGauges.has(field);
}

export interface CounterReading {
  value: number;
  timestampMs: number;
}

/**
 * What one raw counter reading gives, relative to the previous one:
 * - `rate`: per-second increase;
 * - `first`: nothing to compare with yet;
 * - `reset`: the counter went down (restart, wrap): no rate, the reading starts a new run, so a
 *   reset never shows up as a spike or a dip;
 * - `gap`: too long since the previous reading (maxGapMs): a rate over it would blur, start over;
 * - `stale`: not newer than the previous reading (duplicate or out of order): ignore the reading.
 */
export type CounterStep =
  | { kind: 'rate'; perSecond: number }
  | { kind: 'first' | 'reset' | 'gap' | 'stale' };

export function counterStep(previous: CounterReading | undefined, current: CounterReading, maxGapMs: number): CounterStep {
  if (!previous) return { kind: 'first' };
  const elapsedMs = current.timestampMs - previous.timestampMs;
  if (elapsedMs <= 0) return { kind: 'stale' };
  if (elapsedMs > maxGapMs) return { kind: 'gap' };
  if (current.value < previous.value) return { kind: 'reset' };
  return { kind: 'rate', perSecond: ((current.value - previous.value) * 1000) / elapsedMs };
}
