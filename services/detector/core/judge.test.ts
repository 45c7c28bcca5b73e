import { expect, test } from 'vitest';
import { createSeriesScorer } from '../engine/create-series-scorer.js';
import { defaultRules } from '../rules/rule-file.js';
import { ruleFor } from './expert-rules.js';
import { defaultEngineJudgeOptions, judge, statistics, type HoldingSeries, type EngineJudgeOptions, type Verdict } from './judge.js';

const stepMs = 15_000;

/** The verdicts on a series judged point by point as the detector does: engine, hold, rule. */
function judgeSeries(metric: string, values: readonly number[], engine: EngineJudgeOptions = defaultEngineJudgeOptions): Verdict[] {
  const rule = ruleFor(defaultRules(), metric, {})!;
  const scorer = createSeriesScorer();
  const series: HoldingSeries = { hold: undefined };
  return values.map((value, i) => {
    const stats = statistics(value, scorer.push(i * stepMs, value), series, values.slice(Math.max(0, i - 16), i), rule, {}, new Map(), engine);
    return judge({ value, labels: {}, rule, batch: new Map(), stats, thresholdHeld: false }, { criticalScore: 3 })!;
  });
}

const flatAtZeroThen = (value: number) => [...new Array<number>(60).fill(0), value];
/** A level with a little deterministic noise. */
const noisy = (n: number, level: (i: number) => number) => Array.from({ length: n }, (_, i) => level(i) + 0.3 * Math.sin(i * 1.7) * Math.cos(i * 0.37));

test('a counter rate flat at 0 that jumps to 181/s is anomalous, with the rule minimum as the band an operator reads', () => {
  const verdict = judgeSeries('node_vmstat_workingset_refault_file', flatAtZeroThen(181.8)).at(-1)!;
  expect(verdict.anomalous).toBe(true);
  // The rule's smallest meaningful change (10/s) is the band's edge.
  expect(verdict.expectedHigh).toBeCloseTo(10, 6);
  expect(verdict.expectedLow).toBeCloseTo(-10, 6);
  expect(verdict.score).toBeGreaterThanOrEqual(1);
  expect(verdict.kind).toBe('SPIKE');
  expect(verdict.models).toContain('robust-zscore');
  expect(verdict.models.at(-1)).toBe('expert:vmstat-reclaim');
});

test('a change just under the rule minimum is not anomalous however flat the series was', () => {
  expect(judgeSeries('node_vmstat_pgscan_direct', flatAtZeroThen(9)).at(-1)!.anomalous).toBe(false);
});

test('hysteresis: 9/s is not anomalous but not quiet either (above 0.8 of the 10/s bar); 7/s is quiet', () => {
  expect(judgeSeries('node_vmstat_pgscan_direct', flatAtZeroThen(9)).at(-1)).toMatchObject({ anomalous: false, quiet: false });
  expect(judgeSeries('node_vmstat_pgscan_direct', flatAtZeroThen(7)).at(-1)).toMatchObject({ anomalous: false, quiet: true });
});

test('a CPU mode under 50 % is never anomalous, whatever its history', () => {
  expect(judgeSeries('node_cpu_seconds_total', [...new Array<number>(60).fill(0.05), 0.45]).at(-1)!.anomalous).toBe(false);
});

test('a load that jumps and stays up is anomalous for as long as it stays, not only while the engine learns the new level', () => {
  const verdicts = judgeSeries('node_load1', noisy(120, (i) => (i >= 80 && i < 100 ? 30 : 10)));
  expect(verdicts.slice(30, 80).filter((v) => v.anomalous)).toEqual([]);
  expect(verdicts.slice(80, 100).every((v) => v.anomalous)).toBe(true);
  expect(verdicts.slice(80, 100).every((v) => v.expectedHigh <= 14.5)).toBe(true);
  expect(verdicts.slice(100, 103).every((v) => v.quiet)).toBe(true);
});

test('a new level that lasts is normal once the hold is over', () => {
  const verdicts = judgeSeries('node_load1', noisy(200, (i) => (i >= 80 ? 30 : 10)), { ...defaultEngineJudgeOptions, holdPoints: 30 });
  expect(verdicts[80]!.anomalous).toBe(true);
  expect(verdicts.slice(130).filter((v) => v.anomalous)).toEqual([]);
});
