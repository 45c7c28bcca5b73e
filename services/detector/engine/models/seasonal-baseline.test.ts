import { expect, test } from 'vitest';
import { createSeriesScorer } from '../create-series-scorer.js';
import { dayPoints, series, stepMs } from '../test-series.js';

test('a day that stays at night level through the afternoon is caught by the seasonal baseline', () => {
  const daily = (i: number) => 100 + 40 * Math.sin((2 * Math.PI * i) / dayPoints);
  // Day 4, from the morning on: traffic ramps down to the night level over two hours and stays.
  const start = 4 * dayPoints + 40;
  const values = series(5 * dayPoints, (i, noise) => {
    const drop = i < start ? 0 : Math.min(1, (i - start) / 24);
    return (1 - drop) * daily(i) + drop * 60 + noise();
  });
  const scorer = createSeriesScorer();
  const verdicts = values.map((v, i) => scorer.push(i * stepMs, v));
  expect(scorer.classification().seriesClass).toBe('PERIODIC');
  expect(verdicts.slice(3 * dayPoints, start).filter((v) => v.score >= 0.5)).toHaveLength(0);
  const caught = verdicts.slice(start, start + 60).findIndex((v) => v.votes.some((vote) => vote.model === 'seasonal' && vote.score >= 0.5));
  expect(caught).toBeGreaterThanOrEqual(0);
});
