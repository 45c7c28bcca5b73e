import { describe, expect, it } from 'vitest';
import { problemList } from './problems.js';
import { readFixture } from '../testing/fixtures.js';
import { parseProcessStat } from './parse-process-stat.js';
import { processReading, processSamples, topProcesses, uninterruptiblePerTop, type ProcessReading } from './top-processes.js';

const units = { pageSizeBytes: 4096, clockTicksPerSecond: 100 };
const fixtureStats = [['procfs', '26231'], ['procfs', '584'], ['procfs', '26232'], ['procfs', '27079'], ['node_exporter', '1'], ['node_exporter', '11']] as const;
/** Six real process entries: vim, '(a b ) ( c d) ', ata_sff, pthread_load, systemd, rcu_preempt. */
const readings: ProcessReading[] = fixtureStats.map(([tree, pid]) => processReading(parseProcessStat(readFixture(tree, 'proc', pid, 'stat'), problemList())!, units));
const none = new Map<number, ProcessReading>();
const pidsOf = (processes: readonly { pid: number }[]): number[] => processes.map((p) => p.pid);
const later = (reading: ProcessReading, extraCpuSeconds: number): ProcessReading => ({ ...reading, cpuSeconds: reading.cpuSeconds + extraCpuSeconds });

describe('processReading', () => {
  it('converts ticks to seconds and pages to bytes', () => {
    expect(readings[0]).toEqual({ pid: 26231, comm: 'vim', state: 'R', parentPid: 5392, threads: 1, startTicks: 82375, cpuSeconds: 17.21, residentBytes: 1981 * 4096 });
    expect(processReading(parseProcessStat(readFixture('procfs', 'proc', '26231', 'stat'), problemList())!, { pageSizeBytes: 65536, clockTicksPerSecond: 1000 }))
      .toMatchObject({ cpuSeconds: 1.721, residentBytes: 1981 * 65536 });
  });
});

describe('topProcesses', () => {
  it('on the first scrape takes the union of top RSS and top cumulative CPU, without usage', () => {
    // RSS: systemd 2507 pages, vim 1981, ...; cumulative CPU: pthread_load 581.4 s, vim 17.21 s, rcu_preempt 3.46 s, ...
    const top = topProcesses(none, readings, 0, 1);
    expect(pidsOf(top)).toEqual([1, 27079]);
    expect(top.every((p) => p.cpuUsageCores === undefined)).toBe(true);
    expect(pidsOf(topProcesses(none, readings, 0, 2))).toEqual([1, 26231, 27079]);
    expect(pidsOf(topProcesses(none, readings, 0, 100))).toEqual([1, 11, 33, 1020, 26231, 27079]);
  });

  it('ranks CPU by usage since the previous scrape', () => {
    const previous = new Map(readings.map((r) => [r.pid, r]));
    const current = readings.map((r) => (r.comm === 'rcu_preempt' ? later(r, 3) : r));
    const top = topProcesses(previous, current, 2000, 1);
    expect(top.map((p) => [p.pid, p.cpuUsageCores])).toEqual([[1, 0], [11, 1.5]]);
  });

  it('gives no usage to a reused pid (other start time) nor to a counter that went backwards', () => {
    const vim = readings[0]!;
    const previous = new Map([[vim.pid, { ...vim, startTicks: vim.startTicks - 1 }], [1, later(readings[4]!, 10)]]);
    const top = topProcesses(previous, [vim, readings[4]!], 1000, 5);
    expect(top.map((p) => [p.pid, p.cpuUsageCores])).toEqual([[1, undefined], [26231, undefined]]);
  });

  it('lets processes without a previous reading compete on RSS only once scraping has started', () => {
    const previous = new Map([[1, readings[4]!]]);
    const top = topProcesses(previous, readings, 1000, 1);
    expect(pidsOf(top)).toEqual([1]);
  });

  it('gives no usage when no time elapsed', () => {
    const previous = new Map(readings.map((r) => [r.pid, r]));
    expect(topProcesses(previous, readings.map((r) => later(r, 1)), 0, 10).some((p) => p.cpuUsageCores !== undefined)).toBe(false);
  });
});

/** A process that appears in no ranking by itself: little memory, no CPU, no I/O, no run delay. */
const quiet = (pid: number, state = 'S'): ProcessReading => ({
  pid, comm: `quiet${pid}`, state, parentPid: 1, threads: 1, startTicks: 1000 + pid, cpuSeconds: 0, residentBytes: 4096,
  io: { readBytes: 0, writeBytes: 0, readAtMs: 0 }, runDelay: { seconds: 0, readAtMs: 0 },
});
const at = (reading: ProcessReading, readAtMs: number, change: { readBytes?: number; writeBytes?: number; runDelaySeconds?: number; cpuSeconds?: number } = {}): ProcessReading => ({
  ...reading,
  cpuSeconds: reading.cpuSeconds + (change.cpuSeconds ?? 0),
  io: { readBytes: reading.io!.readBytes + (change.readBytes ?? 0), writeBytes: reading.io!.writeBytes + (change.writeBytes ?? 0), readAtMs },
  runDelay: { seconds: reading.runDelay!.seconds + (change.runDelaySeconds ?? 0), readAtMs },
});

describe('topProcesses by I/O, run delay and D state', () => {
  const big = { ...quiet(1), residentBytes: 2 ** 30 };
  const processes = [big, ...Array.from({ length: 20 }, (_, i) => quiet(100 + i))];
  const previous = new Map(processes.map((p) => [p.pid, p]));

  it('ranks storage I/O by read + write bytes per second since the previous reading', () => {
    const current = processes.map((p) => (p.pid === 105 ? at(p, 5000, { writeBytes: 50e6, cpuSeconds: 0.1 }) : p.pid === 107 ? at(p, 5000, { readBytes: 10e6 }) : at(p, 5000)));
    const top = topProcesses(previous, current, 5000, 1);
    expect(top.map((p) => [p.pid, p.ioReadBytesPerSecond, p.ioWriteBytesPerSecond])).toEqual([[1, 0, 0], [105, 0, 10e6]]);
    expect(pidsOf(topProcesses(previous, current, 5000, 3))).toEqual([1, 100, 101, 105, 107]); // memory: 1, then ties by pid
  });

  it('ranks run delay by seconds waiting per second elapsed', () => {
    const current = processes.map((p) => (p.pid === 110 ? at(p, 2000, { runDelaySeconds: 1.5 }) : at(p, 2000)));
    const top = topProcesses(previous, current, 2000, 1);
    expect(top.map((p) => [p.pid, p.runDelayRatio])).toEqual([[1, 0], [110, 0.75]]);
  });

  it('keeps a process that used none of a resource out of that ranking', () => {
    expect(pidsOf(topProcesses(previous, processes.map((p) => at(p, 5000)), 5000, 3))).toEqual([1, 100, 101]); // by memory only, ties by pid
  });

  it('includes a D-state process outside every top n', () => {
    const current = processes.map((p) => (p.pid === 119 ? { ...at(p, 5000), state: 'D' } : at(p, 5000)));
    expect(pidsOf(topProcesses(previous, current, 5000, 1))).toEqual([1, 119]);
  });

  it(`keeps at most ${uninterruptiblePerTop} × n D-state processes, those with the most run delay first`, () => {
    const current = processes.map((p, i) => (p.pid >= 100 ? { ...at(p, 1000, { runDelaySeconds: i / 1000 }), state: 'D' } : at(p, 1000)));
    const top = topProcesses(previous, current, 1000, 1);
    // n = 1: 119 tops run delay; the D-state cap of 4 takes 119, 118, 117, 116.
    expect(pidsOf(top)).toEqual([1, 116, 117, 118, 119]);
  });

  it('gives rate 0 to a reading carried forward unchanged while the cycle clock moved on', () => {
    const carried = processes.map((p) => ({ ...p }));
    const top = topProcesses(previous, carried, 5000, 1);
    expect(top.map((p) => [p.pid, p.ioReadBytesPerSecond, p.runDelayRatio])).toEqual([[1, 0, 0]]);
  });

  it('measures a rate over the time between the two readings, not the cycle, when a reading was carried before', () => {
    const before = new Map([[105, at(quiet(105), 1000)]]);
    const [top] = topProcesses(before, [at(quiet(105), 11000, { readBytes: 10e6 })], 5000, 1);
    expect(top?.ioReadBytesPerSecond).toBe(1e6);
  });

  it('on the first scrape ranks I/O and run delay by their totals, and gives no rates', () => {
    const first = processes.map((p) => (p.pid === 103 ? at(p, 0, { readBytes: 1 }) : p.pid === 104 ? at(p, 0, { runDelaySeconds: 1 }) : p));
    const top = topProcesses(none, first, 0, 1);
    expect(pidsOf(top)).toEqual([1, 103, 104]);
    expect(top.every((p) => p.ioReadBytesPerSecond === undefined && p.runDelayRatio === undefined)).toBe(true);
  });

  it('gives no I/O or delay rates to a reused pid, nor to counters that went backwards', () => {
    const reused = { ...at(quiet(105), 5000, { readBytes: 1e6 }), startTicks: 9 };
    const backwards = { ...quiet(106), io: { readBytes: 0, writeBytes: 0, readAtMs: 5000 }, runDelay: { seconds: 0, readAtMs: 5000 } };
    const before = new Map([[105, quiet(105)], [106, at(quiet(106), 0, { readBytes: 10, runDelaySeconds: 1 })]]);
    const top = topProcesses(before, [reused, backwards], 5000, 5);
    expect(top.map((p) => [p.pid, p.ioReadBytesPerSecond, p.runDelayRatio])).toEqual([[105, undefined, undefined], [106, undefined, undefined]]);
  });
});

describe('processSamples', () => {
  it('labels every sample with pid, comm and state', () => {
    const previous = new Map([[1020, readings[1]!]]);
    const samples = processSamples(topProcesses(previous, [later(readings[1]!, 0.5)], 1000, 1));
    const labels = { pid: '1020', comm: '(a b ) ( c d) ', state: 'R' };
    expect(samples).toEqual([
      { name: 'process_rss_bytes', labels, value: 155 * 4096 },
      { name: 'process_threads', labels, value: 1 },
      { name: 'process_cpu_seconds_total', labels, value: 0.5 },
      { name: 'process_cpu_usage_cores', labels, value: 0.5 },
      { name: 'process_info', labels: { ...labels, cmdline: '', ppid: '28378' }, value: 1 },
    ]);
  });

  it('adds memory, I/O and run delay, the cgroup and pod labels on every sample, and the command line on process_info only', () => {
    const before = at(quiet(42), 0);
    const [top] = topProcesses(new Map([[42, before]]), [at(before, 2000, { readBytes: 4096, writeBytes: 8192, runDelaySeconds: 0.5, cpuSeconds: 1 })], 2000, 1);
    const samples = processSamples([{
      ...top!,
      memory: { residentBytes: 4096, residentAnonBytes: 1024, residentFileBytes: 3072, residentShmemBytes: 0 },
      cmdline: 'java -jar app.jar',
      cgroup: '/kubepods/burstable/pod1/abc',
      attribution: { namespace: 'shop', pod: 'cart-0', container: 'cart', pid: 'not this one' },
    }]);
    const labels = { namespace: 'shop', pod: 'cart-0', container: 'cart', pid: '42', comm: 'quiet42', state: 'S', cgroup: '/kubepods/burstable/pod1/abc' };
    expect(samples.map((s) => [s.name, s.value])).toEqual([
      ['process_rss_bytes', 4096],
      ['process_resident_anon_bytes', 1024],
      ['process_resident_file_bytes', 3072],
      ['process_resident_shmem_bytes', 0],
      ['process_threads', 1],
      ['process_cpu_seconds_total', 1],
      ['process_cpu_usage_cores', 0.5],
      ['process_io_read_bytes_total', 4096],
      ['process_io_write_bytes_total', 8192],
      ['process_io_read_bytes_per_second', 2048],
      ['process_io_write_bytes_per_second', 4096],
      ['process_run_delay_seconds_total', 0.5],
      ['process_run_delay_ratio', 0.25],
      ['process_info', 1],
    ]);
    expect(samples.slice(0, -1).every((s) => JSON.stringify(s.labels) === JSON.stringify(labels))).toBe(true);
    expect(samples.at(-1)?.labels).toEqual({ ...labels, cmdline: 'java -jar app.jar', ppid: '1' });
  });
});
