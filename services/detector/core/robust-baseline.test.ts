import { expect, test } from 'vitest';
import { defaultRobustBaselineOptions, expectedBand, median, PointRing, robustBaseline, robustZ } from './robust-baseline.js';

test('median of odd and even counts', () => {
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
});

test('no baseline before minPoints', () => {
  expect(robustBaseline([1, 2, 3], { ...defaultRobustBaselineOptions, minPoints: 10 })).toBeUndefined();
});

test('one outlier in the window barely moves the baseline', () => {
  const values = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 1_000];
  const baseline = robustBaseline(values)!;
  expect(baseline.median).toBe(10);
  expect(baseline.mad).toBe(1);
  expect(robustZ(20, baseline)).toBeCloseTo(10 / 1.4826, 6);
  expect(expectedBand(baseline, 3.5)).toEqual({ low: 10 - 3.5 * 1.4826, high: 10 + 3.5 * 1.4826 });
});

test('a flat series has a floored MAD, so z stays finite', () => {
  const baseline = robustBaseline(new Array(12).fill(4096))!;
  expect(baseline.mad).toBeCloseTo(4.096, 9);
  expect(Number.isFinite(robustZ(4100, baseline))).toBe(true);
  expect(robustZ(4096, baseline)).toBe(0);
  expect(robustBaseline(new Array(12).fill(0))!.mad).toBe(1e-9);
});

test('the ring keeps the latest points and the position of the oldest', () => {
  const ring = new PointRing(3);
  for (let i = 0; i < 5; i++) ring.push(i * 10, 100 + i);
  expect(ring.full).toBe(true);
  expect(ring.lastValues(10)).toEqual([20, 30, 40]);
  expect(ring.lastValues(2)).toEqual([30, 40]);
  expect(ring.newestValue()).toBe(40);
  expect(ring.oldestPosition()).toBe(102);
});
