import { expect, test } from 'vitest';
import { PointRings } from './point-rings.js';

test('each of many rings keeps its own latest points, oldest first, across blocks and reuse', () => {
  const rings = new PointRings(5);
  const ids = Array.from({ length: 70 }, () => rings.allocate());
  for (let t = 0; t < 8; t++) for (const [n, ring] of ids.entries()) rings.push(ring, n * 100 + t, 1_000 * t);
  expect(rings.lastValues(ids[69]!, 3)).toEqual([6905, 6906, 6907]);
  expect(rings.lastPoints(ids[40]!, 10)).toEqual([3, 4, 5, 6, 7].map((t) => ({ value: 4000 + t, timestampMs: 1_000 * t })));

  // A released ring is handed out again, empty.
  rings.release(ids[3]!);
  const reused = rings.allocate();
  expect(reused).toBe(ids[3]);
  expect(rings.size(reused)).toBe(0);
  rings.push(reused, 1, 9_000);
  expect(rings.lastPoints(reused, 5)).toEqual([{ value: 1, timestampMs: 9_000 }]);
  expect(rings.lastValues(ids[4]!, 2)).toEqual([406, 407]);

  // Saved whole and restored: the same rings under the same numbers, the released one still free.
  const copy = PointRings.restoreAll(structuredClone(rings.saveAll()));
  for (const ring of ids) expect(copy.lastPoints(ring, 5)).toEqual(rings.lastPoints(ring, 5));
  rings.release(ids[7]!);
  expect(PointRings.restoreAll(rings.saveAll()).allocate()).toBe(ids[7]);

  // One ring saved and restored elsewhere (a smaller capacity keeps the latest).
  const elsewhere = new PointRings(3);
  const restored = elsewhere.restore(rings.save(ids[69]!));
  expect(elsewhere.lastValues(restored, 5)).toEqual([6905, 6906, 6907]);
});

test('times stay exact to the millisecond over months; a window spans at most 2^32 ms (49 days)', () => {
  const rings = new PointRings(4);
  const ring = rings.allocate();
  const day = 86_400_000;
  const times = [1_764_000_000_123, 1_764_000_000_123 + 20 * day + 7, 1_764_000_000_123 + 45 * day + 9, 1_764_000_000_123 + 60 * day + 11, 1_764_000_000_123 + 90 * day + 13, 1_764_000_000_123 + 200 * day + 1];
  for (const [i, time] of times.entries()) rings.push(ring, i, time);
  // At 200 days, the points of 60 and 90 days are more than 49 days old: only the newest is left.
  expect(rings.lastPoints(ring, 4)).toEqual([{ value: 5, timestampMs: times[5] }]);
  const steady = rings.allocate();
  for (let i = 0; i < 12; i++) rings.push(steady, i, times[0]! + i * 15 * day + i);
  expect(rings.lastPoints(steady, 4)).toEqual([8, 9, 10, 11].map((i) => ({ value: i, timestampMs: times[0]! + i * 15 * day + i })));
});

test('rings without values keep only the times of their points', () => {
  const rings = new PointRings(4, false);
  const ring = rings.allocate();
  for (let t = 0; t < 6; t++) rings.push(ring, 100 + t, 1_000 * t);
  expect(rings.lastTimes(ring, 3)).toEqual([3_000, 4_000, 5_000]);
  expect(rings.lastValues(ring, 2)).toEqual([Number.NaN, Number.NaN]);
  const copy = PointRings.restoreAll(structuredClone(rings.saveAll()));
  expect(copy.withValues).toBe(false);
  expect(copy.lastTimes(ring, 10)).toEqual([2_000, 3_000, 4_000, 5_000]);
});

test('a ring carries its series’ numbers: NaN until set, reset when the ring is reused, moved with the ring', () => {
  const rings = new PointRings(3);
  const ring = rings.allocate();
  expect(rings.numberOf(ring, 0)).toBeNaN();
  rings.setNumber(ring, 0, 1_764_000_000_123);
  rings.setNumber(ring, 3, -2.5);
  rings.push(ring, 7, 1_000);
  const elsewhere = new PointRings(0, false);
  const moved = elsewhere.restore(rings.save(ring));
  expect([elsewhere.numberOf(moved, 0), elsewhere.numberOf(moved, 1), elsewhere.numberOf(moved, 3)]).toEqual([1_764_000_000_123, Number.NaN, -2.5]);
  expect(PointRings.restoreAll(structuredClone(rings.saveAll())).numberOf(ring, 3)).toBe(-2.5);
  rings.release(ring);
  expect(rings.numberOf(rings.allocate(), 0)).toBeNaN();
});
