import { expect, test } from 'vitest';
import { createSeriesScorer } from '../create-series-scorer.js';
import { series, stepMs } from '../test-series.js';

test('noise that suddenly grows eightfold is a FLUCTUATION; one spike is not', () => {
  const values = series(900, (i, noise) => 50 + (i >= 700 ? 8 : 1) * noise() + (i === 400 ? 12 : 0));
  const scorer = createSeriesScorer();
  const verdicts = values.map((v, i) => scorer.push(i * stepMs, v));
  expect(verdicts.slice(395, 410).some((v) => v.votes.some((vote) => vote.model === 'jitter' && vote.score >= 0.5))).toBe(false);
  const jittery = verdicts.slice(700, 730).filter((v) => v.votes.some((vote) => vote.model === 'jitter' && vote.score >= 0.5));
  expect(jittery.length).toBeGreaterThan(0);
  expect(verdicts.slice(700, 730).some((v) => v.kind === 'FLUCTUATION')).toBe(true);
});
