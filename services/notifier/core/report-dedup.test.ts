import { describe, expect, it } from 'vitest';
import { createReportDedup } from './report-dedup.js';

describe('report dedup', () => {
  it('remembers delivered ids and forgets the least recently delivered beyond its capacity', () => {
    const dedup = createReportDedup(2);
    dedup.add('r1');
    dedup.add('r2');
    expect(dedup.has('r1')).toBe(true);
    dedup.add('r1');
    dedup.add('r3');
    expect([dedup.has('r1'), dedup.has('r2'), dedup.has('r3')]).toEqual([true, false, true]);
    expect(dedup.size).toBe(2);
  });

  it('rejects a capacity that cannot hold anything', () => {
    expect(() => createReportDedup(0)).toThrow(RangeError);
  });
});
