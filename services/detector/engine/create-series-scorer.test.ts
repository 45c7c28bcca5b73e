import { describe, expect, test } from 'vitest';
import { createSeriesScorer, restoreSeriesScorer, warmUpPoints } from './create-series-scorer.js';
import { kpiNames, labeledSegments, loadKpi, series, stepMs } from './test-series.js';

describe('bad input', () => {
  test('NaN and ±Infinity are skipped, counted as missing, and scored 0', () => {
    const scorer = createSeriesScorer();
    for (let i = 0; i < 50; i++) scorer.push(i * stepMs, 10 + (i % 3));
    for (const bad of [NaN, Infinity, -Infinity]) {
      const verdict = scorer.push(50 * stepMs, bad);
      expect(verdict.score).toBe(0);
      expect(verdict.votes).toEqual([]);
    }
    expect(scorer.points).toBe(53);
    expect(scorer.classification().features.missing_share).toBeGreaterThan(0);
  });

  test('duplicate and out-of-order timestamps are ignored: zero score, no effect on later points', () => {
    const values = series(300, (i, noise) => 100 + noise() + (i === 250 ? 30 : 0));
    const clean = createSeriesScorer();
    const dirty = createSeriesScorer();
    values.forEach((v, i) => {
      const expected = clean.push(i * stepMs, v);
      if (i > 10 && i % 7 === 0) {
        expect(dirty.push((i - 1) * stepMs, 1e9).score).toBe(0);
        expect(dirty.push((i - 5) * stepMs, -1e9).score).toBe(0);
      }
      expect(dirty.push(i * stepMs, v)).toEqual(expected);
    });
  });

  test('a long gap counts its points as missing; nothing is interpolated', () => {
    const scorer = createSeriesScorer({ intervalMs: stepMs });
    for (let i = 0; i < 100; i++) scorer.push(i * stepMs, 5);
    const before = scorer.classification().features.missing_share!;
    const verdict = scorer.push(200 * stepMs, 5);
    expect(verdict.score).toBe(0);
    expect(scorer.classification().features.missing_share).toBeGreaterThan(before + 0.3);
  });

  test('no score while warming up', () => {
    const scorer = createSeriesScorer();
    const verdicts = series(warmUpPoints, (i) => (i % 2 ? 1 : 1000)).map((v, i) => scorer.push(i * stepMs, v));
    expect(verdicts.every((v) => v.score === 0)).toBe(true);
  });
});

test('no look-ahead: a prefix scores exactly as the same points inside the full series', () => {
  const { timestampsMs, values } = loadKpi('server_res_eth1out_curve_61');
  const full = createSeriesScorer();
  const prefix = createSeriesScorer();
  const fullVerdicts = values.map((v, i) => full.push(timestampsMs[i]!, v));
  const cut = 9000;
  for (let i = 0; i < cut; i++) expect(prefix.push(timestampsMs[i]!, values[i]!)).toEqual(fullVerdicts[i]);
});

test('a saved scorer, restored from a structured clone, scores the rest of the series exactly as the original', () => {
  const { timestampsMs, values } = loadKpi('server_res_eth1out_curve_61');
  const original = createSeriesScorer();
  const cut = 6000;
  for (let i = 0; i < cut; i++) original.push(timestampsMs[i]!, values[i]!);
  const restored = restoreSeriesScorer(structuredClone(original.save()));
  for (let i = cut; i < cut + 3000; i++) expect(restored.push(timestampsMs[i]!, values[i]!)).toEqual(original.push(timestampsMs[i]!, values[i]!));
  expect(restored.classification()).toEqual(original.classification());
  expect(restored.points).toBe(original.points);
});

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Points the plain robust z-score (30-point window, |z| ≥ 3.5) flags outside labeled anomalies. */
function baselineFalsePositives(values: readonly number[], labels: readonly number[]): number {
  let count = 0;
  for (let i = 30; i < values.length; i++) {
    const window = values.slice(i - 30, i);
    const center = median(window);
    const mad = Math.max(median(window.map((v) => Math.abs(v - center))), 1e-9, 0.001 * Math.abs(center));
    if (Math.abs(values[i]! - center) / (1.4826 * mad) >= 3.5 && !labels[i]) count++;
  }
  return count;
}

test.each(kpiNames)('%s: most labeled anomalies score ≥ 0.5 within 7 points, with fewer false positives than the plain z-score', (name) => {
  const { timestampsMs, values, labels } = loadKpi(name);
  const scorer = createSeriesScorer();
  const scores = values.map((v, i) => scorer.push(timestampsMs[i]!, v).score);
  const segments = labeledSegments(labels).filter(([start]) => start > 300);
  const caught = segments.filter(([start, end]) => scores.slice(start, Math.min(end, start + 8)).some((s) => s >= 0.5));
  const falsePositives = scores.filter((s, i) => i > 300 && s >= 0.5 && !labels[i]).length;
  expect(caught.length / segments.length).toBeGreaterThan(0.5);
  expect(falsePositives).toBeLessThan(baselineFalsePositives(values, labels) / 10);
  // Fewer than 1 in 500 normal points.
  expect(falsePositives).toBeLessThan(values.length / 500);
});
