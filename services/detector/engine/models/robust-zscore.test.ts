import { expect, test } from 'vitest';
import { createSeriesScorer } from '../create-series-scorer.js';
import { series, stepMs } from '../test-series.js';
import { localMedian, robustScore } from './robust-zscore.js';
import { newSeriesState } from '../state-layout.js';
import { pushFine } from '../rings.js';

test('median of the last three points ignores one outlier', () => {
  const state = newSeriesState();
  for (const v of [10, 11, 500]) pushFine(state, 0, v);
  expect(localMedian(state, 0)).toBe(11);
});

test('score is 0 up to 3σ and 0.5 at 5σ', () => {
  expect(robustScore(2.9)).toBe(0);
  expect(robustScore(-5)).toBeCloseTo(0.5);
  expect(robustScore(50)).toBeGreaterThan(0.9);
});

test('a spike in noise is a SPIKE vote from the robust z-score, its neighbours are not', () => {
  const values = series(600, (i, noise) => 100 + noise() + (i === 500 ? 20 : 0));
  const scorer = createSeriesScorer();
  const verdicts = values.map((v, i) => scorer.push(i * stepMs, v));
  expect(verdicts[500]!.score).toBeGreaterThan(0.8);
  expect(verdicts[500]!.kind).toBe('SPIKE');
  expect(verdicts[500]!.votes.map((v) => v.model)).toContain('robust-zscore');
  expect(verdicts[500]!.expectedHigh).toBeLessThan(110);
  expect(verdicts[500]!.expectedLow).toBeGreaterThan(90);
  expect(verdicts[501]!.score).toBeLessThan(0.5);
  expect(Math.max(...verdicts.slice(100, 500).map((v) => v.score))).toBeLessThan(0.5);
});

test('a dip is a DIP', () => {
  const values = series(600, (i, noise) => 100 + noise() - (i === 500 ? 20 : 0));
  const scorer = createSeriesScorer();
  const verdicts = values.map((v, i) => scorer.push(i * stepMs, v));
  expect(verdicts[500]!.kind).toBe('DIP');
  expect(verdicts[500]!.score).toBeGreaterThan(0.8);
});
