import { describe, expect, it } from 'vitest';
import { drain, fullBucket, parseRateLimit, take, waitMs } from './token-bucket.js';

describe('parseRateLimit', () => {
  it.each([
    ['1/s', { capacity: 1, perTokenMs: 1000 }],
    ['20/m', { capacity: 20, perTokenMs: 3000 }],
    ['100/h', { capacity: 100, perTokenMs: 36_000 }],
    ['unlimited', { capacity: 1, perTokenMs: 0 }],
    ['0/s', undefined],
    ['fast', undefined],
    ['5/d', undefined],
  ])('%s', (text, expected) => {
    expect(parseRateLimit(text)).toEqual(expected);
  });
});

describe('token bucket', () => {
  it('lets a burst of its capacity through, then one token per interval', () => {
    let bucket = fullBucket(parseRateLimit('20/m')!, 0);
    for (let n = 0; n < 20; n++) {
      expect(waitMs(bucket, 0)).toBe(0);
      bucket = take(bucket, 0);
    }
    expect(waitMs(bucket, 0)).toBe(3000);
    expect(waitMs(bucket, 2000)).toBe(1000);
    expect(waitMs(bucket, 3000)).toBe(0);
    bucket = take(bucket, 3000);
    expect(waitMs(bucket, 3000)).toBe(3000);
    // Refills up to its capacity, not beyond.
    expect(waitMs(bucket, 10 * 60_000)).toBe(0);
    let refilled = bucket;
    for (let n = 0; n < 20; n++) refilled = take(refilled, 10 * 60_000);
    expect(waitMs(refilled, 10 * 60_000)).toBeGreaterThan(0);
  });

  it('is empty after a 429, and never waits when unlimited', () => {
    expect(waitMs(drain(fullBucket(parseRateLimit('5/s')!, 0), 0), 0)).toBe(200);
    let unlimited = fullBucket(parseRateLimit('unlimited')!, 0);
    for (let n = 0; n < 1000; n++) unlimited = take(unlimited, 0);
    expect(waitMs(unlimited, 0)).toBe(0);
  });
});
