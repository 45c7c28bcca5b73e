import { expect, test } from 'vitest';
import { pushFine } from '../rings.js';
import { newSeriesState } from '../state-layout.js';
import { series } from '../test-series.js';
import { spectralHistory, spectralRatio, spectralScore } from './spectral-residual.js';

test('the saliency of a spike on a smooth curve is far above that of a normal point', () => {
  const values = series(spectralHistory, (i, noise) => 10 + 3 * Math.sin(i / 4) + 0.1 * noise());
  const state = newSeriesState();
  for (const v of values) pushFine(state, 0, v);
  const next = 10 + 3 * Math.sin(spectralHistory / 4);
  expect(spectralScore(spectralRatio(state, 0, next))).toBe(0);
  expect(spectralRatio(state, 0, next + 8)).toBeGreaterThan(6);
  expect(spectralScore(spectralRatio(state, 0, next + 8))).toBeGreaterThan(0.5);
});

test('needs a full window', () => {
  const state = newSeriesState();
  pushFine(state, 0, 1);
  expect(spectralRatio(state, 0, 100)).toBe(0);
});
