import { expect, test } from 'vitest';
import { vmstatRules } from '../rules/vmstat.js';
import { ruleFor } from './expert-rules.js';
import { judge } from './judge.js';

const options = { threshold: 3.5, criticalScore: 3 };

test('a counter rate flat at 0 that jumps to 181/s scores as times the threshold, with a band an operator can read', () => {
  const rule = ruleFor(vmstatRules, 'node_vmstat_workingset_refault_file', {})!;
  const verdict = judge(181.8, { median: 0, mad: 0, count: 30 }, rule, new Map(), options)!;
  expect(verdict.anomalous).toBe(true);
  // The rule's smallest meaningful change (10/s) is the band's edge: 181.8/s is about 18 times it.
  expect(verdict.expectedHigh).toBeCloseTo(10, 6);
  expect(verdict.expectedLow).toBeCloseTo(-10, 6);
  expect(verdict.score).toBeCloseTo(18.18, 1);
});

test('a change just under the rule minimum is not anomalous however flat the series was', () => {
  const rule = ruleFor(vmstatRules, 'node_vmstat_pgscan_direct', {})!;
  expect(judge(9, { median: 0, mad: 0, count: 30 }, rule, new Map(), options)!.anomalous).toBe(false);
});
