import { describe, expect, it } from 'vitest';
import { readFixture } from '../../testing/fixtures.js';
import { problemList } from '../problems.js';
import { parseCgroupPressure } from './pressure.js';

describe('parseCgroupPressure', () => {
  it('reads telegraf v2 cpu.pressure, keeping the cgroup cpu full line', () => {
    const problems = problemList();
    expect(parseCgroupPressure(readFixture('cgroup', 'telegraf', 'testdata', 'v2', 'cpu.pressure'), 'cpu.pressure', problems)).toEqual({
      some: { seconds: 293.391454, avg10Ratio: 0 },
      full: { seconds: 277.111656, avg10Ratio: 0 },
    });
    expect(problems.list).toEqual([]);
  });

  it('reads avg10 as a ratio and reports a bad value', () => {
    const problems = problemList();
    expect(parseCgroupPressure('some avg10=4.32 avg60=2.00 avg300=2.49 total=x\n', 'io.pressure', problems)).toEqual({ some: { avg10Ratio: 0.0432 } });
    expect(problems.list).toEqual(['io.pressure: some total: expected a number, got "x"']);
  });
});
