import { expect, test } from 'vitest';
import { defaultRules } from '../rules/rule-file.js';
import { ruleFor } from './expert-rules.js';
import { judge, statistics } from './judge.js';
import { defaultRobustBaselineOptions } from './robust-baseline.js';

const options = { ...defaultRobustBaselineOptions, criticalScore: 3 };
const flatAtZero = new Array<number>(30).fill(0);
const verdictOn = (metric: string, value: number, window: number[]) => {
  const rule = ruleFor(defaultRules(), metric, {})!;
  const stats = statistics(value, window, rule, {}, new Map(), options);
  return judge({ value, labels: {}, rule, batch: new Map(), stats, thresholdHeld: false }, options)!;
};

test('a counter rate flat at 0 that jumps to 181/s scores as times the threshold, with a band an operator can read', () => {
  const verdict = verdictOn('node_vmstat_workingset_refault_file', 181.8, flatAtZero);
  expect(verdict.anomalous).toBe(true);
  // The rule's smallest meaningful change (10/s) is the band's edge: 181.8/s is about 18 times it.
  expect(verdict.expectedHigh).toBeCloseTo(10, 6);
  expect(verdict.expectedLow).toBeCloseTo(-10, 6);
  expect(verdict.score).toBeCloseTo(18.18, 1);
  expect(verdict.models).toEqual(['robust-zscore', 'expert:vmstat-reclaim']);
});

test('a change just under the rule minimum is not anomalous however flat the series was', () => {
  expect(verdictOn('node_vmstat_pgscan_direct', 9, flatAtZero).anomalous).toBe(false);
});

test('hysteresis: 9/s is not anomalous but not quiet either (above 0.8 of the 10/s bar); 7/s is quiet', () => {
  expect(verdictOn('node_vmstat_pgscan_direct', 9, flatAtZero)).toMatchObject({ anomalous: false, quiet: false });
  expect(verdictOn('node_vmstat_pgscan_direct', 7, flatAtZero)).toMatchObject({ anomalous: false, quiet: true });
});

test('a CPU mode under 50 % is never anomalous, whatever its history', () => {
  expect(verdictOn('node_cpu_seconds_total', 0.45, new Array<number>(30).fill(0.05)).anomalous).toBe(false);
});
