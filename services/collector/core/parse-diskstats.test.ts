import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { nodeExporterOracle, readFixture, seriesOf } from '../testing/fixtures.js';
import { defaultDiskExclude, parseDiskstats } from './parse-diskstats.js';
import { problemList } from './problems.js';

const diskstatsFamilies = (name: string): boolean => /^node_disk_(reads_|read_|writes_|write_|written_|io_|discard|flush)/.test(name);

describe('parseDiskstats', () => {
  it("equals node_exporter's node_disk_* series for the same /proc/diskstats, discards and flushes included", () => {
    const problems = problemList();
    const expected = nodeExporterOracle(diskstatsFamilies);
    expect(expected.size).toBe(15 * 11 + 2 * 4 + 2);
    expect(seriesOf(parseDiskstats(readFixture('node_exporter', 'proc', 'diskstats'), problems))).toEqual(expected);
    expect(problems.list).toEqual([]);
  });

  it.each([
    // sda: 1003346126 sectors read, 505697032 written; 18492372 ms reading
    ['node_exporter', 'node_disk_read_bytes_total', 'sda', 1003346126 * 512],
    ['node_exporter', 'node_disk_written_bytes_total', 'sda', 505697032 * 512],
    ['node_exporter', 'node_disk_read_time_seconds_total', 'sda', 18492.372],
    ['node_exporter', 'node_disk_io_time_weighted_seconds_total', 'vda', 2077872.2280000001],
    ['node_exporter', 'node_disk_discarded_sectors_total', 'sdb', 1925173784],
    ['node_exporter', 'node_disk_flush_requests_total', 'sdc', 1555],
    // procfs: sdc `14202 71 579164 ... 127 182`
    ['procfs', 'node_disk_reads_completed_total', 'sdc', 14202],
    ['procfs', 'node_disk_read_bytes_total', 'sdc', 579164 * 512],
    ['procfs', 'node_disk_flush_requests_time_seconds_total', 'sdc', 0.182],
  ])('%s proc/diskstats: %s{device="%s"} = %d', (tree, name, device, value) => {
    const series = seriesOf(parseDiskstats(readFixture(tree, 'proc', 'diskstats'), problemList()));
    expect(series.get(`${name}{device="${device}"}`)).toBe(value);
  });

  it("leaves out partitions, ram and loop devices by default (node_exporter's device-exclude), keeps them on request", () => {
    const text = readFixture('node_exporter', 'proc', 'diskstats');
    const devices = (exclude?: RegExp) => new Set(parseDiskstats(text, problemList(), exclude).map((s) => s.labels.device));
    expect([...devices()].filter((device) => /^(sda\d|ram|loop|fd)/.test(device ?? ''))).toEqual([]);
    expect(devices()).toContain('mmcblk0p1'); // node_exporter's default keeps mmc partitions
    expect(devices(/^$/)).toContain('sda1');
    expect(devices(/^$/).size).toBe(text.trim().split('\n').length);
  });

  it('emits the discard and flush families only for lines that carry them', () => {
    const names = (device: string) => parseDiskstats(readFixture('node_exporter', 'proc', 'diskstats'), problemList()).filter((s) => s.labels.device === device).map((s) => s.name);
    expect(names('sda')).toHaveLength(11);
    expect(names('sdb')).toHaveLength(15);
    expect(names('sdc')).toHaveLength(17);
  });

  it('skips and reports a short line and an unreadable field, keeping the rest', () => {
    const problems = problemList();
    const text = '   8       0 sda 1 2 3 4\n   8      16 sdb 326552 x 9657779 84 41822 2895 1972905 5007 0 60730 67070\n 254 0 vda 1 0 8 1 0 0 0 0 0 1 1\n';
    const series = seriesOf(parseDiskstats(text, problems));
    expect(problems.list).toEqual(['diskstats sda: expected 11 or more numbers, got 4', 'diskstats sdb field 2: expected an integer, got "x"']);
    expect(series.get('node_disk_reads_completed_total{device="sdb"}')).toBe(326552);
    expect(series.has('node_disk_reads_merged_total{device="sdb"}')).toBe(false);
    expect(series.get('node_disk_read_bytes_total{device="vda"}')).toBe(4096);
  });

  it('never throws on damaged input: finite values, no duplicate series, problems reported', () => {
    let reported = 0;
    let index = 0;
    for (const text of mutations(readFixture('procfs', 'proc', 'diskstats'), 1, 400)) {
      const problems = problemList();
      const samples = parseDiskstats(text, problems);
      expect(samples.every((s) => Number.isFinite(s.value)), `case ${index++}`).toBe(true);
      seriesOf(samples);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(100);
  });

  it("reads this machine's /proc/diskstats without a problem", () => {
    const text = readFileSync('/proc/diskstats', 'utf8');
    const problems = problemList();
    const devices = new Set(parseDiskstats(text, problems).map((s) => s.labels.device));
    const expected = text.trim().split('\n').map((line) => line.trim().split(/\s+/)[2] ?? '').filter((device) => !defaultDiskExclude.test(device));
    expect(problems.list).toEqual([]);
    expect([...devices]).toEqual(expected);
  });
});
