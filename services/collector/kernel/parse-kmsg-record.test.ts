import { describe, expect, it } from 'vitest';
import { problemList } from '../core/problems.js';
import { mutations } from '../testing/fuzz.js';
import { readFixture } from '../testing/fixtures.js';
import { parseKmsgRecord } from './parse-kmsg-record.js';
import { kmsgRecordsOf } from './testing/kmsg-dump.js';

describe('parseKmsgRecord', () => {
  it('reads the OOM kill recorded from /dev/kmsg on a 6.18 kernel', () => {
    const problems = problemList();
    const records = kmsgRecordsOf(readFixture('kernel', 'captured', 'oom-kmsg', 'kmsg.txt')).map((text) => parseKmsgRecord(text, problems));
    expect(problems.list).toEqual([]);
    expect(records[0]).toEqual({
      level: 4, facility: 0, sequence: 424, monotonicUsec: 6078307779,
      message: 'python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
    });
    expect(records.at(-1)).toMatchObject({
      level: 3, facility: 0, sequence: 503, monotonicUsec: 6078308347,
      message: 'Memory cgroup out of memory: Killed process 25331 (python3) total-vm:43256kB, anon-rss:32512kB, file-rss:6628kB, shmem-rss:0kB, UID:0 pgtables:124kB oom_score_adj:0',
    });
    // One read per record, consecutive sequence numbers.
    expect(records.map((record) => record?.sequence)).toEqual(records.map((_, index) => 424 + index));
  });

  it('reads continuation lines and decodes \\xNN escapes (boot records of the same kernel)', () => {
    const problems = problemList();
    const records = kmsgRecordsOf(readFixture('kernel', 'captured', 'kmsg-boot', 'kmsg.txt')).map((text) => parseKmsgRecord(text, problems));
    expect(problems.list).toEqual([]);
    expect(records.find((record) => record?.sequence === 90)?.message).toBe('rcu: \tRCU restricting CPUs from NR_CPUS=256 to nr_cpu_ids=2.');
    expect(records.find((record) => record?.sequence === 193)).toEqual({
      level: 6, facility: 0, sequence: 193, monotonicUsec: 298017,
      message: 'acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]',
      properties: { SUBSYSTEM: 'acpi', DEVICE: '+acpi:PNP0A08:00' },
    });
  });

  it.each([
    ['a record written by user space (facility 1)', '14,344,6012947029,-;vigil-clock-probe-16065\n', { level: 6, facility: 1, sequence: 344, monotonicUsec: 6012947029, message: 'vigil-clock-probe-16065' }],
    ['the printk caller field', '4,1200,584319520,-,caller=T31;INFO: task udevd:5612 blocked in I/O wait for more than 143 seconds.\n',
      { level: 4, facility: 0, sequence: 1200, monotonicUsec: 584319520, caller: 'T31', message: 'INFO: task udevd:5612 blocked in I/O wait for more than 143 seconds.' }],
    ['bytes escaped by the kernel, a backslash included', '6,7,8,-;task \\xe2\\x82\\xac\\x5cx41 end\n', { level: 6, facility: 0, sequence: 7, monotonicUsec: 8, message: 'task \u20ac\\x41 end' }],
    ['a semicolon in the message', '6,7,8,c;a;b\n', { level: 6, facility: 0, sequence: 7, monotonicUsec: 8, message: 'a;b' }],
  ])('reads %s', (_name, text, expected) => {
    const problems = problemList();
    expect(parseKmsgRecord(text, problems)).toEqual(expected);
    expect(problems.list).toEqual([]);
  });

  it.each([
    ['', 1], ['hello\n', 1], ['6,x,8,-;m\n', 1], ['6,1,99999999999999999999,-;m\n', 1], ['6,1,2,-;m\nnot a property\n', 0],
  ])('reports %j', (text, unreadable) => {
    const problems = problemList();
    const record = parseKmsgRecord(text, problems);
    expect(record === undefined ? 1 : 0).toBe(unreadable);
    expect(problems.list).toHaveLength(1);
  });

  it('never throws on damaged records (300 seeded mutations)', () => {
    const dump = readFixture('kernel', 'captured', 'kmsg-boot', 'kmsg.txt') + readFixture('kernel', 'captured', 'oom-kmsg', 'kmsg.txt');
    const texts = kmsgRecordsOf(dump);
    let index = 0;
    for (const text of texts) {
      for (const mutated of mutations(text, index++, 2)) {
        const record = parseKmsgRecord(mutated, problemList());
        if (record) expect(typeof record.message).toBe('string');
      }
    }
    expect(index).toBeGreaterThan(150);
  });
});
