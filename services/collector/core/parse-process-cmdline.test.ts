import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { readFixture } from '../testing/fixtures.js';
import { parseProcessCmdline } from './parse-process-cmdline.js';
import { problemList } from './problems.js';

describe('parseProcessCmdline', () => {
  it.each([
    ['arguments separated by NUL (procfs proc/26231/cmdline)', ['procfs', 'proc', '26231', 'cmdline'], 'vim test.go +10'],
    ['a name padded with NULs, as setproctitle leaves it (procfs proc/26233/cmdline)', ['procfs', 'proc', '26233', 'cmdline'], 'com.github.uiautomator'],
  ])('%s', (_name, path, expected) => {
    expect(parseProcessCmdline(readFixture(...path), problemList())).toBe(expected);
  });

  it('is empty for a kernel thread', () => {
    expect(parseProcessCmdline('', problemList())).toBe('');
  });

  it('cuts a long command line to the label length, marking the cut, without splitting a character', () => {
    const classpath = `java\0-cp\0${'/opt/app/lib/a.jar:'.repeat(40)}\0Main\0`;
    const cut = parseProcessCmdline(classpath, problemList());
    expect(cut).toHaveLength(200);
    expect(cut.startsWith('java -cp /opt/app/lib/a.jar:')).toBe(true);
    expect(cut.endsWith('…')).toBe(true);
    const emoji = parseProcessCmdline(`${'a'.repeat(8)}😀😀`, problemList(), 10);
    expect(emoji).toBe(`${'a'.repeat(8)}…`);
  });

  it('never throws on damaged input and never exceeds the label length', () => {
    for (const damaged of mutations(`/usr/bin/python3\0-m\0http.server\0${'x'.repeat(300)}\0`, 14, 400)) {
      const cmdline = parseProcessCmdline(damaged, problemList());
      expect(cmdline.length).toBeLessThanOrEqual(200);
      expect(cmdline.includes('\0')).toBe(false);
    }
  });
});
