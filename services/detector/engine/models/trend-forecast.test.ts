import { expect, test } from 'vitest';
import { createSeriesScorer } from '../create-series-scorer.js';
import { series, stepMs } from '../test-series.js';
import { watermarkScore } from './trend-forecast.js';

test('a climb towards the limit: time to exhaustion within 10 %, TREND once it is near', () => {
  // 0.3 per 5-minute point from 100 towards 1000: reaches the limit at point 3000.
  const limit = 1000;
  const values = series(2800, (i, noise) => 100 + 0.3 * i + noise());
  const scorer = createSeriesScorer({ limit, intervalMs: stepMs });
  let last;
  for (let i = 0; i < values.length; i++) {
    last = scorer.push(i * stepMs, values[i]!);
    if (i === 2500) {
      const expectedMs = (3000 - 2500) * stepMs;
      expect(last.exhaustionInMs).toBeDefined();
      expect(Math.abs(last.exhaustionInMs! - expectedMs) / expectedMs).toBeLessThan(0.1);
      expect(last.votes.some((v) => v.model === 'trend')).toBe(true);
    }
  }
  const expectedMs = 200 * stepMs;
  expect(Math.abs(last!.exhaustionInMs! - expectedMs) / expectedMs).toBeLessThan(0.1);
  expect(last!.score).toBeGreaterThan(0.5);
  expect(last!.kind).toBe('TREND');
});

test('no exhaustion for a flat series under its limit', () => {
  const scorer = createSeriesScorer({ limit: 1000 });
  const values = series(3000, (_, noise) => 500 + noise());
  const verdicts = values.map((v, i) => scorer.push(i * stepMs, v));
  expect(verdicts.at(-1)!.exhaustionInMs).toBeUndefined();
  expect(verdicts.slice(100).every((v) => v.score < 0.5)).toBe(true);
});

test('high watermark: 0.5 at 95 % of the limit, 1 at it', () => {
  expect(watermarkScore(80, 100)).toBe(0);
  expect(watermarkScore(95, 100)).toBeCloseTo(0.5);
  expect(watermarkScore(120, 100)).toBe(1);
});
