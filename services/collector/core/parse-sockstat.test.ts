import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { nodeExporterOracle, readFixture, seriesOf } from '../testing/fixtures.js';
import { problemList } from './problems.js';
import { parseSockstat } from './parse-sockstat.js';

describe('parseSockstat', () => {
  const sockstat = readFixture('node_exporter', 'proc', 'net', 'sockstat');
  const sockstat6 = readFixture('node_exporter', 'proc', 'net', 'sockstat6');

  it("equals node_exporter's node_sockstat_* series for the same net/sockstat and net/sockstat6 (4 KiB pages)", () => {
    const problems = problemList();
    const series = seriesOf([...parseSockstat(sockstat, problems, 4096), ...parseSockstat(sockstat6, problems, 4096, 'net/sockstat6')]);
    const expected = nodeExporterOracle((name) => name.startsWith('node_sockstat_'));
    expect(expected.get('node_sockstat_TCP_mem_bytes')).toBe(4096);
    expect(series).toEqual(expected);
    expect(problems.list).toEqual([]);
  });

  it.each([
    [4096, 22 * 4096],
    [65536, 22 * 65536],
  ])('procfs net/sockstat `TCP: ... mem 22` with %d-byte pages → TCP_mem_bytes %d', (pageSizeBytes, bytes) => {
    const series = seriesOf(parseSockstat(readFixture('procfs', 'proc', 'net', 'sockstat'), problemList(), pageSizeBytes));
    expect(series.get('node_sockstat_TCP_mem')).toBe(22);
    expect(series.get('node_sockstat_TCP_mem_bytes')).toBe(bytes);
    expect(series.get('node_sockstat_sockets_used')).toBe(1602);
    expect(series.get('node_sockstat_TCP_tw')).toBe(4);
  });

  it('skips and reports a line whose keys and values do not pair up, keeping the rest', () => {
    const problems = problemList();
    expect(seriesOf(parseSockstat('sockets: used 229\nTCP: inuse 4 orphan\nRAW: inuse x\n', problems, 4096))).toEqual(new Map([['node_sockstat_sockets_used', 229]]));
    expect(problems.list).toEqual(['net/sockstat: unexpected line "TCP: inuse 4 orphan"', 'net/sockstat RAW: unreadable pair "inuse x"']);
  });

  it('never throws on damaged input: finite values, valid names, no duplicate series, problems reported', () => {
    let reported = 0;
    let index = 0;
    for (const damaged of mutations(sockstat + sockstat6, 6, 400)) {
      const problems = problemList();
      const samples = parseSockstat(damaged, problems, 4096);
      expect(samples.every((s) => Number.isFinite(s.value) && /^node_sockstat_[A-Za-z][A-Za-z0-9_]*$/.test(s.name)), `case ${index++}`).toBe(true);
      seriesOf(samples);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(100);
  });

  it("reads this machine's net/sockstat without a problem", () => {
    const problems = problemList();
    const series = seriesOf(parseSockstat(readFileSync('/proc/net/sockstat', 'utf8'), problems, 4096));
    expect(problems.list).toEqual([]);
    expect(series.get('node_sockstat_sockets_used')).toBeGreaterThan(0);
  });
});
