import { describe, expect, it } from 'vitest';
import { readFixture } from '../../testing/fixtures.js';
import { problemList } from '../problems.js';
import { parseBlkioServiceBytes, parseIoStat } from './io.js';

describe('io.stat (v2)', () => {
  it('reads telegraf v2: 259:8 rbytes=74526720 wbytes=3789381632', () => {
    const problems = problemList();
    expect(parseIoStat(readFixture('cgroup', 'telegraf', 'testdata', 'v2', 'io.stat'), problems)).toEqual(
      new Map([['259:8', { readBytes: 74526720, writeBytes: 3789381632 }]]),
    );
    expect(problems.list).toEqual([]);
  });

  it('gives the stats of a multi-device line to its last device (elastic io_statfiles/ubuntu)', () => {
    const problems = problemList();
    expect(parseIoStat(readFixture('cgroup', 'elastic', 'io_statfiles', 'ubuntu', 'io.stat'), problems)).toEqual(new Map([
      ['7:4', { readBytes: 556032, writeBytes: 0 }],
      ['7:3', { readBytes: 21017600, writeBytes: 0 }],
    ]));
    expect(problems.list).toEqual([]);
  });

  it('ignores a final line of devices without stats and without a newline (elastic io_statfiles/ubuntu2)', () => {
    const problems = problemList();
    expect(parseIoStat(readFixture('cgroup', 'elastic', 'io_statfiles', 'ubuntu2', 'io.stat'), problems)).toEqual(new Map([
      ['253:0', { readBytes: 45931053056, writeBytes: 211814596608 }],
      ['259:0', { readBytes: 48963873792, writeBytes: 217588278272 }],
    ]));
    expect(problems.list).toEqual([]);
  });

  it('skips and reports a line whose last device is glued to the one before', () => {
    const problems = problemList();
    expect(parseIoStat('7:1 7:08:0 rbytes=512 wbytes=4096\n253:0 rbytes=1 wbytes=2\n', problems)).toEqual(new Map([['253:0', { readBytes: 1, writeBytes: 2 }]]));
    expect(problems.list).toEqual(['io.stat: no device before the stats in "7:1 7:08:0 rbytes=512 wbytes=4096"']);
  });
});

describe('blkio.throttle.io_service_bytes (v1)', () => {
  it('reads Read and Write per device (elastic docker b29faf21…)', () => {
    const text = readFixture('cgroup', 'elastic', 'docker', 'sys', 'fs', 'cgroup', 'blkio', 'docker',
      'b29faf21b7eff959f64b4192c34d5d67a707fe8561e9eaa608cb27693fba4242', 'blkio.throttle.io_service_bytes');
    const problems = problemList();
    expect(parseBlkioServiceBytes(text, problems)).toEqual(new Map([
      ['7:0', { readBytes: 4608, writeBytes: 0 }],
      ['253:0', { readBytes: 4608, writeBytes: 0 }],
      ['253:1', { readBytes: 1638912, writeBytes: 0 }],
    ]));
    expect(problems.list).toEqual([]);
  });
});
