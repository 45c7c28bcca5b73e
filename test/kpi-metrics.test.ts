/** bench/kpi/metrics.ts on hand-made series whose answers can be counted on fingers. */
import { describe, expect, it } from 'vitest';
import {
  bestF1Threshold,
  countsOf,
  detectionDelays,
  evaluateAt,
  pointAdjust,
  qualityOf,
  segmentsOf,
  summariseDelays,
} from '../bench/kpi/metrics.js';
import { createRobustZBaseline } from '../bench/kpi/robust-z-baseline.js';

const bits = (text: string): boolean[] => [...text].map((c) => c === '1');

describe('segmentsOf', () => {
  it.each([
    ['', []],
    ['0000', []],
    ['1111', [{ start: 0, end: 4 }]],
    ['0110010', [{ start: 1, end: 3 }, { start: 5, end: 6 }]],
    ['1000001', [{ start: 0, end: 1 }, { start: 6, end: 7 }]],
  ])('%s', (labels, segments) => {
    expect(segmentsOf(bits(labels))).toEqual(segments);
  });
});

describe('pointAdjust', () => {
  it('fills a segment with any flagged point, leaves undetected segments and flags outside alone', () => {
    //                       labels:  0111000110
    expect(pointAdjust(bits('0001100000'), bits('0111000110'))).toEqual(bits('0111100000'));
    expect(pointAdjust(bits('1000000010'), bits('0111000110'))).toEqual(bits('1000000110'));
  });
});

describe('precision, recall, F1', () => {
  it('per point and point-adjusted', () => {
    const labels = bits('0111100000');
    const flags = bits('0000100100');
    // Per point: TP 1 (index 4), FP 1 (index 7), FN 3 → P 1/2, R 1/4, F1 1/3.
    expect(countsOf(flags, labels)).toEqual({ truePositives: 1, falsePositives: 1, falseNegatives: 3 });
    const point = qualityOf(countsOf(flags, labels));
    expect(point.precision).toBe(0.5);
    expect(point.recall).toBe(0.25);
    expect(point.f1).toBeCloseTo(1 / 3, 12);
    // Adjusted: the segment 1..4 is wholly detected → TP 4, FP 1, FN 0 → P 4/5, R 1, F1 8/9.
    const adjusted = qualityOf(countsOf(pointAdjust(flags, labels), labels));
    expect(adjusted.precision).toBe(0.8);
    expect(adjusted.recall).toBe(1);
    expect(adjusted.f1).toBeCloseTo(8 / 9, 12);
  });

  it('is 0, not NaN, when nothing is flagged or nothing is labeled', () => {
    expect(qualityOf(countsOf(bits('0000'), bits('0110')))).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(qualityOf(countsOf(bits('0100'), bits('0000')))).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});

describe('detection delay', () => {
  it('counts points from the segment start to its first flag; a flag before the segment does not count', () => {
    //                  labels: 0111100011110001
    const labels = bits('0111100011110001');
    const flags = bits('1000100000110000');
    expect(detectionDelays(flags, labels)).toEqual([3, 2, undefined]);
    const summary = summariseDelays(detectionDelays(flags, labels));
    expect(summary).toMatchObject({ segments: 3, detected: 2, medianPoints: 2.5, meanPoints: 2.5 });
    // Within the first 1 point: none; first 3: the delay-2 one (1 of 3); first 7: both detected (2 of 3).
    expect(summary.withinFirst).toEqual({ 1: 0, 3: 1 / 3, 7: 2 / 3 });
  });

  it('median of an odd count is the middle delay', () => {
    expect(summariseDelays([0, 5, undefined, 1]).medianPoints).toBe(1);
    expect(summariseDelays([undefined]).medianPoints).toBeUndefined();
  });
});

describe('bestF1Threshold', () => {
  const labels = bits('00111000010');
  const scores = [0.1, 0.6, 0.2, 0.3, 0.9, 0.1, 0.0, 0.4, 0.5, 0.0, 0.0];

  it('per point: sweeps every score as a threshold', () => {
    // Labeled points score 0.2, 0.3, 0.9 and 0.0. ≥0.9: TP1 FP0 → F1 2/5; ≥0.6: TP1 FP1 → 1/3;
    // ≥0.3: TP2 FP3 → 4/9; ≥0.2: TP3 FP3 → P 1/2 R 3/4 F1 3/5; ≥0.1: TP3 FP5 → 1/2; ≥0: all → 8/15.
    const best = bestF1Threshold(scores, labels, 'point');
    expect(best.threshold).toBe(0.2);
    expect(best.f1).toBeCloseTo(0.6, 12);
    expect(evaluateAt(scores, labels, best.threshold).point.f1).toBeCloseTo(best.f1, 12);
  });

  it('point-adjusted: a segment rises with its highest score', () => {
    // Segment 2..4 rises at 0.9, segment 9 only at 0. ≥0.9: TP 3, FP 0, FN 1 → F1 6/7; ≥0.6: TP 3, FP 1 → 3/4.
    const best = bestF1Threshold(scores, labels, 'adjusted');
    expect(best.threshold).toBe(0.9);
    expect(best.f1).toBeCloseTo(6 / 7, 12);
    expect(evaluateAt(scores, labels, best.threshold).adjusted.f1).toBeCloseTo(best.f1, 12);
  });

  it('agrees with a brute-force sweep on a random series', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const randomLabels = Array.from({ length: 400 }, (_, i) => Math.floor(i / 20) % 4 === 1 && random() < 0.9);
    const randomScores = randomLabels.map((label) => Math.round((label ? random() * 0.7 + 0.3 : random() * 0.8) * 50) / 50);
    for (const mode of ['point', 'adjusted'] as const) {
      let bruteForce = 0;
      for (const threshold of new Set(randomScores)) {
        const evaluation = evaluateAt(randomScores, randomLabels, threshold);
        bruteForce = Math.max(bruteForce, mode === 'point' ? evaluation.point.f1 : evaluation.adjusted.f1);
      }
      expect(bestF1Threshold(randomScores, randomLabels, mode).f1).toBeCloseTo(bruteForce, 12);
    }
  });
});

describe('the robust z-score baseline', () => {
  it('scores 0 while warming up, then |z| / 7 against the previous 30 points (3.5σ ↔ 0.5)', () => {
    const baseline = createRobustZBaseline();
    // 1, 2, 1, 2, …: median 1.5, MAD 0.5, σ = 1.4826 × 0.5.
    for (let i = 0; i < 30; i++) expect(baseline.push(i, 1 + (i % 2)).score).toBe(0);
    const sigma = 1.4826 * 0.5;
    const verdict = baseline.push(30, 1.5 + 3.5 * sigma);
    expect(verdict.z).toBeCloseTo(3.5, 12);
    expect(verdict.score).toBeCloseTo(0.5, 12);
    expect(baseline.push(31, 1.5 - 100).score).toBe(1);
  });

  it('falls back to the mean absolute deviation when over half the window is equal', () => {
    const baseline = createRobustZBaseline();
    // 20 × 0 and 10 × 3: median 0, MAD 0, mean absolute deviation 1 → σ 1.2533.
    for (let i = 0; i < 30; i++) baseline.push(i, i % 3 === 0 ? 3 : 0);
    expect(baseline.push(30, 1.2533 * 2).z).toBeCloseTo(2, 12);
  });
});
