import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { readFixture } from '../testing/fixtures.js';
import { parseDmesg } from './parse-dmesg.js';

describe('parseDmesg', () => {
  it('reads the memcg OOM report dmesg printed on a 6.18 kernel', () => {
    const records = parseDmesg(readFixture('kernel', 'captured', 'oom', 'dmesg.txt'));
    expect(records[0]).toEqual({ monotonicUsec: 7495756202, message: 'python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0' });
    // dmesg prints one space after the timestamp; the kernel's own leading space stays.
    expect(records[4]).toEqual({ monotonicUsec: 7495756735, message: ' dump_stack_lvl+0x57/0x80' });
    expect(records.at(-1)?.message).toMatch(/^Memory cgroup out of memory: Killed process 1039 \(python3\)/);
    expect(records.every((record) => record.sequence === undefined)).toBe(true);
  });

  it('reads the printk caller field (syzkaller report 1000) and keeps lines without a timestamp', () => {
    const records = parseDmesg(readFixture('kmsg', 'syzkaller', 'report', '1000'));
    expect(records).toContainEqual({ monotonicUsec: 584319520, caller: 'T31', message: 'INFO: task udevd:5612 blocked in I/O wait for more than 143 seconds.' });
    expect(records).toContainEqual({ message: '** replaying previous printk message **' });
  });

  it('reads cAdvisor\'s logs, which have no timestamps, line by line', () => {
    const text = readFixture('kmsg', 'cadvisor-oomparser', '03-docker-memcg-gunpowder-1381.log');
    const records = parseDmesg(text);
    expect(records).toHaveLength(text.trimEnd().split('\n').length);
    expect(records).toContainEqual({ message: 'memory: usage 20480kB, limit 20480kB, failcnt 1204' });
  });

  it.each([
    ['dmesg -r', '<4>[    1.500000] watchdog: x', { level: 4, facility: 0, monotonicUsec: 1_500_000, message: 'watchdog: x' }],
    ['a short fraction', '[5.25] m', { monotonicUsec: 5_250_000, message: 'm' }],
    ['CRLF', '[  1.000001] m\r', { monotonicUsec: 1_000_001, message: 'm' }],
    ['dmesg -T, kept whole', '[Tue Nov 24 07:02:09 2026] m', { message: '[Tue Nov 24 07:02:09 2026] m' }],
  ])('reads %s', (_name, line, expected) => {
    expect(parseDmesg(line)).toEqual([expected]);
  });

  it('never throws on damaged text (300 seeded mutations of real logs)', () => {
    const texts = ['kernel/captured/oom/dmesg.txt', 'kmsg/syzkaller/report/1001', 'kmsg/cadvisor-oomparser/02-global-badsysprogram.log'];
    let cases = 0;
    for (const [index, path] of texts.entries()) {
      for (const mutated of mutations(readFixture(...path.split('/')), index, 100)) {
        for (const record of parseDmesg(mutated)) expect(typeof record.message).toBe('string');
        cases++;
      }
    }
    expect(cases).toBe(300);
  });
});
