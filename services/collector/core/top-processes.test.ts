import { describe, expect, it } from 'vitest';
import { problemList } from './problems.js';
import { readFixture } from '../testing/fixtures.js';
import { parseProcessStat } from './parse-process-stat.js';
import { processReading, processSamples, topProcesses, type ProcessReading } from './top-processes.js';

const units = { pageSizeBytes: 4096, clockTicksPerSecond: 100 };
const fixtureStats = [['procfs', '26231'], ['procfs', '584'], ['procfs', '26232'], ['procfs', '27079'], ['node_exporter', '1'], ['node_exporter', '11']] as const;
/** Six real process entries: vim, '(a b ) ( c d) ', ata_sff, pthread_load, systemd, rcu_preempt. */
const readings: ProcessReading[] = fixtureStats.map(([tree, pid]) => processReading(parseProcessStat(readFixture(tree, 'proc', pid, 'stat'), problemList())!, units));
const none = new Map<number, ProcessReading>();
const pidsOf = (processes: readonly { pid: number }[]): number[] => processes.map((p) => p.pid);
const later = (reading: ProcessReading, extraCpuSeconds: number): ProcessReading => ({ ...reading, cpuSeconds: reading.cpuSeconds + extraCpuSeconds });

describe('processReading', () => {
  it('converts ticks to seconds and pages to bytes', () => {
    expect(readings[0]).toEqual({ pid: 26231, comm: 'vim', state: 'R', startTicks: 82375, cpuSeconds: 17.21, residentBytes: 1981 * 4096 });
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

describe('processSamples', () => {
  it('labels every sample with pid, comm and state', () => {
    const previous = new Map([[1020, readings[1]!]]);
    const samples = processSamples(topProcesses(previous, [later(readings[1]!, 0.5)], 1000, 1));
    const labels = { pid: '1020', comm: '(a b ) ( c d) ', state: 'R' };
    expect(samples).toEqual([
      { name: 'process_rss_bytes', labels, value: 155 * 4096 },
      { name: 'process_cpu_seconds_total', labels, value: 0.5 },
      { name: 'process_cpu_usage_cores', labels, value: 0.5 },
    ]);
  });
});
