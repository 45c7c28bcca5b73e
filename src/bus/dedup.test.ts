import { describe, expect, it } from 'vitest';
import { RecentIds } from './dedup.js';

describe('RecentIds', () => {
  it('reports an id remembered before as a duplicate, and only after add', () => {
    const recent = new RecentIds(3);
    expect(recent.has('a')).toBe(false);
    recent.add('a');
    expect(recent.has('b')).toBe(false);
    recent.add('b');
    expect(recent.has('a')).toBe(true);
  });

  it('forgets the oldest id once more than capacity ids arrived', () => {
    const recent = new RecentIds(2);
    recent.add('a');
    recent.add('b');
    recent.add('c');
    expect(recent.size).toBe(2);
    expect(recent.has('b')).toBe(true);
    expect(recent.has('c')).toBe(true);
    expect(recent.has('a')).toBe(false);
  });

  it('adding an id it holds does not evict another', () => {
    const recent = new RecentIds(2);
    recent.add('a');
    recent.add('b');
    recent.add('b');
    expect(recent.has('a')).toBe(true);
  });

  it('rejects a capacity that cannot hold an id', () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
  });
});
