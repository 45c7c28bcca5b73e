import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { readFixture } from '../testing/fixtures.js';
import { parseProcessIo } from './parse-process-io.js';
import { problemList } from './problems.js';

describe('parseProcessIo', () => {
  it('reads read_bytes and write_bytes of a full process directory (procfs proc/26231/io)', () => {
    const problems = problemList();
    expect(parseProcessIo(readFixture('procfs', 'proc', '26231', 'io'), problems)).toEqual({ readBytes: 1024, writeBytes: 2048 });
    expect(problems.list).toEqual([]);
  });

  it("reads this process's own /proc/self/io", () => {
    const problems = problemList();
    const io = parseProcessIo(readFileSync('/proc/self/io', 'utf8'), problems);
    expect(problems.list).toEqual([]);
    expect(io?.readBytes).toBeGreaterThanOrEqual(0);
    expect(io?.writeBytes).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['a file without write_bytes', 'rchar: 1\nread_bytes: 1024\n', /no write_bytes/],
    ['an empty file', '', /no read_bytes, write_bytes/],
    ['a value that is not an integer', 'read_bytes: 1e3\nwrite_bytes: 0\n', /read_bytes: expected an integer, got "1e3"/],
  ])('returns nothing for %s and reports it', (_name, text, message) => {
    const problems = problemList();
    expect(parseProcessIo(text, problems)).toBeUndefined();
    expect(problems.list).toEqual([expect.stringMatching(message)]);
  });

  it('never throws on damaged input: finite values, one-line problems', () => {
    const text = readFixture('procfs', 'proc', '26231', 'io');
    let reported = 0;
    let index = 0;
    for (const damaged of mutations(text, 12, 400)) {
      const problems = problemList();
      const io = parseProcessIo(damaged, problems);
      expect(io === undefined || (Number.isFinite(io.readBytes) && Number.isFinite(io.writeBytes)), `case ${index++}`).toBe(true);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(50);
  });
});
