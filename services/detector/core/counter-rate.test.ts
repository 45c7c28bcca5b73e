import { expect, test } from 'vitest';
import { counterStep, isCounter } from './counter-rate.js';

test.each([
  ['node_cpu_seconds_total', true],
  ['node_pressure_memory_waiting_seconds_total', true],
  ['node_vmstat_pgmajfault', true],
  ['node_vmstat_oom_kill', true],
  ['node_vmstat_nr_free_pages', false],
  ['node_vmstat_workingset_nodes', false],
  ['node_memory_MemAvailable_bytes', false],
  ['node_load1', false],
  ['node_pressure_memory_waiting_avg10_ratio', false],
])('%s is a counter: %s', (metric, counter) => {
  expect(isCounter(metric)).toBe(counter);
});

const maxGapMs = 300_000;

test('consecutive readings give the per-second increase', () => {
  expect(counterStep({ value: 1_000, timestampMs: 10_000 }, { value: 1_600, timestampMs: 25_000 }, maxGapMs)).toEqual({ kind: 'rate', perSecond: 40 });
});

test('a counter that went down (reboot, wrap) is a reset, not a negative rate', () => {
  expect(counterStep({ value: 9_876_543, timestampMs: 10_000 }, { value: 120, timestampMs: 25_000 }, maxGapMs)).toEqual({ kind: 'reset' });
});

test('a gap longer than maxGapMs gives no rate', () => {
  expect(counterStep({ value: 1, timestampMs: 0 }, { value: 5, timestampMs: maxGapMs + 1 }, maxGapMs)).toEqual({ kind: 'gap' });
});

test('the first reading and a duplicate or older reading give no rate', () => {
  expect(counterStep(undefined, { value: 1, timestampMs: 0 }, maxGapMs)).toEqual({ kind: 'first' });
  expect(counterStep({ value: 1, timestampMs: 5_000 }, { value: 2, timestampMs: 5_000 }, maxGapMs)).toEqual({ kind: 'stale' });
  expect(counterStep({ value: 1, timestampMs: 5_000 }, { value: 2, timestampMs: 4_000 }, maxGapMs)).toEqual({ kind: 'stale' });
});
