import { describe, expect, it } from 'vitest';
import { readFixture } from '../../testing/fixtures.js';
import { problemList } from '../problems.js';
import { parseCfsQuota, parseCpuacctUsage, parseCpuMax, parseCpuStat } from './cpu.js';

describe('cpu.stat', () => {
  it.each([
    // [what, fixture path, expected]
    ['telegraf v2 (µs)', ['telegraf', 'testdata', 'v2', 'cpu.stat'],
      { usageSeconds: 98701.325189, periods: 3936904, throttledPeriods: 6004, throttledSeconds: 19175.137007 }],
    ['elastic docker v1 b29faf21… (ns)', ['elastic', 'docker', 'sys', 'fs', 'cgroup', 'cpu', 'docker', 'b29faf21b7eff959f64b4192c34d5d67a707fe8561e9eaa608cb27693fba4242', 'cpu.stat'],
      { usageSeconds: undefined, periods: 769021, throttledPeriods: 1046, throttledSeconds: 352.597023453 }],
    ['kernel/captured/throttle v1 (two busy loops under 20 ms / 100 ms)', ['kernel', 'captured', 'throttle', 'cgroup-after', 'cpu.stat'],
      { usageSeconds: undefined, periods: 52, throttledPeriods: 51, throttledSeconds: 9.116384459 }],
  ])('%s', (_what, path, expected) => {
    const problems = problemList();
    expect(parseCpuStat(readFixture('cgroup', ...path), problems)).toEqual(expected);
    expect(problems.list).toEqual([]);
  });
});

describe('CPU quota', () => {
  it('reads v2 cpu.max: a quota in cores, max as unlimited', () => {
    const problems = problemList();
    expect(parseCpuMax(readFixture('cgroup', 'telegraf', 'testdata', 'v2', 'cpu.max'), problems)).toBe(48); // 4800000 100000
    expect(parseCpuMax('max 100000\n', problems)).toBeUndefined();
    expect(parseCpuMax('20000 100000\n', problems)).toBe(0.2);
    expect(problems.list).toEqual([]);
    expect(parseCpuMax('20000\n', problems)).toBeUndefined();
    expect(problems.list).toEqual(['cpu.max: expected "<quota|max> <period>", got "20000"']);
  });

  it('reads v1 cfs_quota_us / cfs_period_us (kernel/captured/throttle), -1 as unlimited', () => {
    const file = (name: string): string => readFixture('cgroup', 'kernel', 'captured', 'throttle', 'cgroup-after', name);
    const problems = problemList();
    expect(parseCfsQuota(file('cpu.cfs_quota_us'), file('cpu.cfs_period_us'), problems)).toBe(0.2);
    expect(parseCfsQuota('-1\n', '100000\n', problems)).toBeUndefined();
    expect(problems.list).toEqual([]);
  });

  it('reads v1 cpuacct.usage in seconds', () => {
    expect(parseCpuacctUsage('95996653175\n', problemList())).toBe(95.996653175);
  });
});
