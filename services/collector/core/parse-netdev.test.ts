import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { readFixture, seriesOf } from '../testing/fixtures.js';
import { parseNetdev } from './parse-netdev.js';
import { problemList } from './problems.js';

describe('parseNetdev', () => {
  const text = readFixture('procfs', 'proc', 'net', 'dev');

  it('reads every column of every interface (procfs proc/net/dev)', () => {
    const problems = problemList();
    const series = seriesOf(parseNetdev(text, problems));
    expect(problems.list).toEqual([]);
    expect(series.size).toBe(4 * 16);
    // `    lo: 1664039048 1566805 ...`, `  eth0: 874354587 1036395 ... 563352563  732147 ...`
    expect(series.get('node_network_receive_bytes_total{device="lo"}')).toBe(1664039048);
    expect(series.get('node_network_receive_packets_total{device="lo"}')).toBe(1566805);
    expect(series.get('node_network_transmit_bytes_total{device="eth0"}')).toBe(563352563);
    expect(series.get('node_network_transmit_packets_total{device="eth0"}')).toBe(732147);
    expect(series.get('node_network_receive_bytes_total{device="vethf345468"}')).toBe(648);
    expect(series.get('node_network_transmit_carrier_total{device="docker0"}')).toBe(0);
  });

  it("uses node_exporter's family names, all counters (its e2e output declares them; its fixture tree has no proc/net/dev)", () => {
    const declared = new Set([...readFixture('node_exporter', 'e2e-output.txt').matchAll(/^# TYPE (node_network_\w+_total) counter$/gm)].map((m) => m[1]));
    const ours = new Set(parseNetdev(text, problemList()).map((s) => s.name));
    expect([...ours].filter((name) => !declared.has(name))).toEqual([]);
    expect(ours.size).toBe(16);
  });

  it('skips and reports a short line and an unreadable counter, keeping the rest', () => {
    const problems = problemList();
    const series = seriesOf(parseNetdev(`${text}  eth1: 1 2 3\n  eth2: 5 6 0 0 0 0 0 0 7 8 0 0 0 0 0 -1\n`, problems));
    expect(problems.list).toEqual(['net/dev eth1: expected 16 numbers, got 3', 'net/dev eth2 node_network_transmit_compressed_total: expected an integer, got "-1"']);
    expect(series.get('node_network_transmit_bytes_total{device="eth2"}')).toBe(7);
    expect(series.get('node_network_receive_bytes_total{device="lo"}')).toBe(1664039048);
  });

  it('never throws on damaged input: finite values, no duplicate series, problems reported', () => {
    let reported = 0;
    let index = 0;
    for (const damaged of mutations(text, 2, 400)) {
      const problems = problemList();
      const samples = parseNetdev(damaged, problems);
      expect(samples.every((s) => Number.isFinite(s.value)), `case ${index++}`).toBe(true);
      seriesOf(samples);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(100);
  });

  it("reads this machine's /proc/net/dev: lo has received bytes", () => {
    const problems = problemList();
    const series = seriesOf(parseNetdev(readFileSync('/proc/net/dev', 'utf8'), problems));
    expect(problems.list).toEqual([]);
    expect(series.get('node_network_receive_bytes_total{device="lo"}')).toBeGreaterThan(0);
  });
});
