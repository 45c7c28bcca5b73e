import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { readFixture } from '../testing/fixtures.js';
import { parseProcessSchedstat } from './parse-process-schedstat.js';
import { problemList } from './problems.js';

describe('parseProcessSchedstat', () => {
  it('reads time on CPU, time waiting for one, and timeslices (procfs proc/26231/schedstat)', () => {
    const problems = problemList();
    expect(parseProcessSchedstat(readFixture('procfs', 'proc', '26231', 'schedstat'), problems))
      .toEqual({ runSeconds: 0.411605849, runDelaySeconds: 0.093680043, timeslices: 79 });
    expect(problems.list).toEqual([]);
  });

  it.each([
    ['the malformed file of procfs proc/26233 (a cow)', readFixture('procfs', 'proc', '26233', 'schedstat'), /expected 3 fields/],
    ['a truncated line', '411605849 93680043', /expected 3 fields/],
    ['a field that is not an integer', '411605849 x 79\n', /field 2: expected an integer, got "x"/],
  ])('returns nothing for %s and reports it', (_name, text, message) => {
    const problems = problemList();
    expect(parseProcessSchedstat(text, problems)).toBeUndefined();
    expect(problems.list).toEqual([expect.stringMatching(message)]);
  });

  it('never throws on damaged input: finite values, one-line problems', () => {
    const text = readFixture('procfs', 'proc', '26231', 'schedstat');
    let index = 0;
    for (const damaged of mutations(text, 13, 400)) {
      const problems = problemList();
      const schedstat = parseProcessSchedstat(damaged, problems);
      expect(schedstat === undefined || Object.values(schedstat).every(Number.isFinite), `case ${index++}`).toBe(true);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      expect(schedstat === undefined ? problems.list.length > 0 : true).toBe(true);
    }
  });
});
