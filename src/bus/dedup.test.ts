import { describe, expect, it } from 'vitest';
import { RecentIds } from './dedup.js';

describe('RecentIds', () => {
  it('reports an id seen again as a duplicate', () => {
    const recent = new RecentIds(3);
    expect(recent.seen('a')).toBe(false);
    expect(recent.seen('b')).toBe(false);
    expect(recent.seen('a')).toBe(true);
  });

  it('forgets the oldest id once more than capacity ids arrived', () => {
    const recent = new RecentIds(2);
    recent.seen('a');
    recent.seen('b');
    recent.seen('c');
    expect(recent.size).toBe(2);
    expect(recent.seen('b')).toBe(true);
    expect(recent.seen('c')).toBe(true);
    expect(recent.seen('a')).toBe(false);
  });

  it('rejects a capacity that cannot hold an id', () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
  });
});
