import { describe, expect, test } from 'vitest';
import { dominantPeriod, mannKendallZ, theilSenSlope } from './classify.js';
import { createSeriesScorer } from './create-series-scorer.js';
import { dayPoints, kpiNames, loadKpi, series, stepMs } from './test-series.js';
import type { SeriesScorerOptions } from './series-scorer.js';

function classified(values: readonly number[], options?: SeriesScorerOptions) {
  const scorer = createSeriesScorer(options);
  values.forEach((v, i) => scorer.push(i * stepMs, v));
  return scorer.classification();
}

describe('features', () => {
  test('Theil–Sen slope and Mann–Kendall z of a noisy line', () => {
    const y = Float64Array.from(series(40, (i, noise) => 3 + 0.5 * i + noise()));
    expect(theilSenSlope(y, 40)).toBeCloseTo(0.5, 1);
    expect(mannKendallZ(y, 40)).toBeGreaterThan(5);
    const flat = Float64Array.from(series(40, (_, noise) => 3 + noise()));
    expect(Math.abs(mannKendallZ(flat, 40))).toBeLessThan(2.5);
  });

  test('autocorrelation finds the period of a sine', () => {
    const y = Float64Array.from(series(48, (i, noise) => Math.sin((2 * Math.PI * i) / 12) + 0.1 * noise()));
    const { lag, acf } = dominantPeriod(y, 48);
    expect(lag).toBe(12);
    expect(acf).toBeGreaterThan(0.8);
  });
});

describe('classes of synthetic series', () => {
  test('a flat noisy series is STABLE', () => {
    expect(classified(series(2000, (_, noise) => 50 + noise())).seriesClass).toBe('STABLE');
  });

  test('a daily curve is PERIODIC with a period of one day (288 points at 5-minute steps)', () => {
    const c = classified(series(3 * dayPoints, (i, noise) => 100 + 40 * Math.sin((2 * Math.PI * i) / dayPoints) + 3 * noise()));
    expect(c.seriesClass).toBe('PERIODIC');
    expect(Math.abs(c.features.period_points! - dayPoints)).toBeLessThanOrEqual(18);
    expect(c.features.acf_at_period).toBeGreaterThan(0.8);
  });

  test('a steady climb is TRENDING with its Theil–Sen slope', () => {
    const c = classified(series(1500, (i, noise) => 10 + 0.05 * i + noise()));
    expect(c.seriesClass).toBe('TRENDING');
    expect(c.features.theil_sen_slope).toBeCloseTo(0.05, 2);
    expect(c.features.mann_kendall_z).toBeGreaterThan(5);
  });

  test('mostly zeros, or mostly missing, is SPARSE', () => {
    expect(classified(series(1500, (i) => (i % 10 === 0 ? 5 : 0))).seriesClass).toBe('SPARSE');
    const c = classified(series(1500, (i, noise) => (i % 2 === 0 ? NaN : 50 + noise())));
    expect(c.seriesClass).toBe('SPARSE');
    expect(c.features.missing_share).toBeGreaterThan(0.3);
  });

  test('pinned at a known limit, or at its own ceiling, is HIGH_WATERMARK', () => {
    expect(classified(series(1500, (_, noise) => 95 + noise()), { limit: 100 }).seriesClass).toBe('HIGH_WATERMARK');
    // Saturates at 100 most of the time, with long stretches well below.
    const ceiling = classified(series(1500, (i, noise) => (i % 750 < 150 ? 60 + 5 * noise() : 100)));
    expect(ceiling.seriesClass).toBe('HIGH_WATERMARK');
  });
});

test.each(kpiNames)('real KPI %s is PERIODIC with a daily period', (name) => {
  const { values } = loadKpi(name);
  const c = classified(values);
  expect(c.seriesClass).toBe('PERIODIC');
  expect(Math.abs(c.features.period_points! - dayPoints)).toBeLessThanOrEqual(18);
});
