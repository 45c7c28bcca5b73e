import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { problemList } from './problems.js';
import { readFixture } from '../testing/fixtures.js';
import { parseProcessStat, type ProcessStat } from './parse-process-stat.js';

describe('parseProcessStat', () => {
  it.each<[string, string[], ProcessStat]>([
    ['a full process directory', ['procfs', 'proc', '26231', 'stat'],
      { pid: 26231, comm: 'vim', state: 'R', parentPid: 5392, userTicks: 1677, systemTicks: 44, threads: 1, startTicks: 82375, residentPages: 1981 }],
    ['a comm with spaces and parentheses', ['procfs', 'proc', '584', 'stat'],
      { pid: 1020, comm: '(a b ) ( c d) ', state: 'R', parentPid: 28378, userTicks: 0, systemTicks: 0, threads: 1, startTicks: 10839175, residentPages: 155 }],
    ['a kernel thread with negative fields', ['procfs', 'proc', '26232', 'stat'],
      { pid: 33, comm: 'ata_sff', state: 'S', parentPid: 2, userTicks: 0, systemTicks: 0, threads: 1, startTicks: 5, residentPages: 0 }],
    ['a multi-threaded process', ['procfs', 'proc', '27079', 'stat'],
      { pid: 27079, comm: 'pthread_load', state: 'S', parentPid: 1, userTicks: 58125, systemTicks: 15, threads: 5, startTicks: 4289574, residentPages: 138 }],
    ['an idle kernel thread', ['node_exporter', 'proc', '11', 'stat'],
      { pid: 11, comm: 'rcu_preempt', state: 'I', parentPid: 2, userTicks: 0, systemTicks: 346, threads: 1, startTicks: 32, residentPages: 0 }],
    ['a file without a trailing newline', ['node_exporter', 'proc', '10', 'stat'],
      { pid: 17, comm: 'khungtaskd', state: 'S', parentPid: 2, userTicks: 14, systemTicks: 0, threads: 1, startTicks: 24, residentPages: 0 }],
    ['systemd', ['node_exporter', 'proc', '1', 'stat'],
      { pid: 1, comm: 'systemd', state: 'S', parentPid: 0, userTicks: 36, systemTicks: 98, threads: 1, startTicks: 29, residentPages: 2507 }],
  ])('%s', (_name, path, expected) => {
    expect(parseProcessStat(readFixture(...path), problemList())).toEqual(expected);
  });

  it('takes comm up to the last parenthesis even when it contains ") R 1 2"', () => {
    const rest = 'S 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 2 0 99 1000 42';
    expect(parseProcessStat(`4242 (x) R 1 2) ${rest}\n`, problemList())).toMatchObject({ pid: 4242, comm: 'x) R 1 2', state: 'S', userTicks: 7, systemTicks: 3, residentPages: 42 });
  });

  it.each([['no comm', '42 bash S 1'], ['truncated', '42 (bash) S 1 2 3'], ['bad pid', 'x (bash) S 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 2 0 99 1000 42']])(
    'returns nothing for %s and reports it',
    (_name, text) => {
      const problems = problemList();
      expect(parseProcessStat(text, problems)).toBeUndefined();
      expect(problems.list).toHaveLength(1);
    },
  );

  it('never throws on damaged input: finite numbers, one-line problems', () => {
    let reported = 0;
    let index = 0;
    for (const damaged of mutations(readFixture('procfs', 'proc', '26231', 'stat'), 16, 400)) {
      const problems = problemList();
      const stat = parseProcessStat(damaged, problems);
      const { comm: _comm, state: _state, ...numbers } = stat ?? { comm: '', state: '' };
      expect(Object.values(numbers).every(Number.isFinite), `case ${index++}`).toBe(true);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(50);
  });
});
