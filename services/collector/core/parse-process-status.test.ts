import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { readFixture } from '../testing/fixtures.js';
import { parseProcessStatus, type ProcessStatus } from './parse-process-status.js';
import { problemList } from './problems.js';

const kB = 1024;

describe('parseProcessStatus', () => {
  it.each<[string, string[], ProcessStatus]>([
    ['a full process directory (starts with an empty line upstream)', ['procfs', 'proc', '26231', 'status'],
      { residentBytes: 6716 * kB, residentAnonBytes: 2092 * kB, residentFileBytes: 4624 * kB, residentShmemBytes: 0 }],
    ['kube-proxy, space-aligned as older kernels print it', ['procfs', 'proc', '26235', 'status'],
      { residentBytes: 42652 * kB, residentAnonBytes: 24852 * kB, residentFileBytes: 17800 * kB, residentShmemBytes: 0 }],
    ['a python3 process on a 6.18 kernel before its OOM kill', ['kernel', 'captured', 'oom', 'proc-status-early'],
      { residentBytes: 60708 * kB, residentAnonBytes: 54064 * kB, residentFileBytes: 6644 * kB, residentShmemBytes: 0 }],
    ['the same process read after it was killed (an empty file)', ['kernel', 'captured', 'oom', 'proc-status-late'], {}],
  ])('%s', (_name, path, expected) => {
    const problems = problemList();
    expect(parseProcessStatus(readFixture(...path), problems)).toEqual(expected);
    expect(problems.list).toEqual([]);
  });

  it('returns nothing for a kernel thread, which has no Vm/Rss lines', () => {
    const kthread = 'Name:\tkthreadd\nUmask:\t0000\nState:\tS (sleeping)\nTgid:\t2\nPPid:\t0\nKthread:\t1\nThreads:\t1\n';
    expect(parseProcessStatus(kthread, problemList())).toEqual({});
  });

  it.each([
    ['a value that is not a number', 'VmRSS:\t  lots kB\nRssAnon:\t 4 kB\n', { residentAnonBytes: 4 * kB }, /VmRSS: expected an integer, got "lots"/],
    ['another unit', 'VmRSS:\t 6716 MB\n', {}, /VmRSS: expected "<number> kB"/],
    ['a line without a key', 'VmRSS 6716 kB\n', {}, /no "key:"/],
  ])('skips and reports %s', (_name, text, expected, message) => {
    const problems = problemList();
    expect(parseProcessStatus(text, problems)).toEqual(expected);
    expect(problems.list).toEqual([expect.stringMatching(message)]);
  });

  it('never throws on damaged input: finite values, one-line problems', () => {
    const text = readFixture('kernel', 'captured', 'oom', 'proc-status-early');
    let reported = 0;
    let index = 0;
    for (const damaged of mutations(text, 11, 400)) {
      const problems = problemList();
      const status = parseProcessStatus(damaged, problems);
      expect(Object.values(status).every((value) => Number.isFinite(value) && value >= 0), `case ${index++}`).toBe(true);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(20);
  });
});
