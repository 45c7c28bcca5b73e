import { expect, test } from 'vitest';
import { createSeriesScorer } from '../create-series-scorer.js';
import { series, stepMs } from '../test-series.js';
import { levelShiftStep, startLevelShift } from './level-shift.js';
import { newSeriesState } from '../state-layout.js';

test('CUSUM alarms within a few points of a 3σ shift and restarts after', () => {
  const values = series(700, (i, noise) => 10 + noise() + (i >= 500 ? 2.5 : 0));
  const state = newSeriesState();
  startLevelShift(state, 0, values[0]!);
  const scores = values.map((v, i) => levelShiftStep(state, 0, v, i >= 30));
  expect(Math.max(...scores.slice(30, 500))).toBeLessThan(0.5);
  const alarm = scores.findIndex((s, i) => i >= 500 && s >= 0.5);
  expect(alarm).toBeGreaterThanOrEqual(500);
  expect(alarm).toBeLessThan(515);
  expect(scores.slice(alarm + 1, alarm + 4).every((s) => s < 0.5)).toBe(true);
});

test('a smooth ramp is not a shift', () => {
  const state = newSeriesState();
  startLevelShift(state, 0, 0);
  const scores = series(1000, (i, noise) => 0.05 * i + noise()).map((v, i) => levelShiftStep(state, 0, v, i >= 30));
  expect(Math.max(...scores)).toBeLessThan(0.5);
});

test('the scorer calls a sustained small shift a LEVEL_SHIFT', () => {
  const values = series(800, (i, noise) => 10 + noise() + (i >= 600 ? 2 : 0));
  const scorer = createSeriesScorer();
  const verdicts = values.map((v, i) => scorer.push(i * stepMs, v));
  const first = verdicts.findIndex((v, i) => i >= 600 && v.score >= 0.5);
  expect(first).toBeGreaterThanOrEqual(600);
  expect(first).toBeLessThan(620);
  expect(verdicts.slice(600, 620).some((v) => v.kind === 'LEVEL_SHIFT' && v.score >= 0.5)).toBe(true);
  expect(verdicts.slice(100, 600).filter((v) => v.score >= 0.5)).toHaveLength(0);
});
