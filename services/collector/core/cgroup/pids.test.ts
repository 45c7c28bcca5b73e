import { describe, expect, it } from 'vitest';
import { readFixture } from '../../testing/fixtures.js';
import { problemList } from '../problems.js';
import { parsePidsEventsMax, parsePidsMax } from './pids.js';

describe('pids', () => {
  it('reads kernel/captured/pids (a fork storm under pids.max 30): the limit and one refused fork', () => {
    const file = (name: string): string => readFixture('cgroup', 'kernel', 'captured', 'pids', 'cgroup-after', name);
    const problems = problemList();
    expect(parsePidsMax(file('pids.max'), problems)).toBe(30);
    expect(parsePidsEventsMax(file('pids.events'), problems)).toBe(1);
    expect(parsePidsMax('max\n', problems)).toBeUndefined();
    expect(problems.list).toEqual([]);
  });
});
