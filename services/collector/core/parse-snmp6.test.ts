import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { nodeExporterOracle, readFixture, seriesOf } from '../testing/fixtures.js';
import { problemList } from './problems.js';
import { parseSnmp6 } from './parse-snmp6.js';

describe('parseSnmp6', () => {
  const text = readFixture('node_exporter', 'proc', 'net', 'snmp6');

  it("contains node_exporter's IPv6 node_netstat_* series for the same net/snmp6, and keeps every line", () => {
    const problems = problemList();
    const series = seriesOf(parseSnmp6(text, problems));
    const expected = nodeExporterOracle((name) => /^node_netstat_(Ip6|Icmp6|Udp6|UdpLite6)_/.test(name));
    expect(expected.get('node_netstat_Ip6_OutOctets')).toBe(536);
    expect(expected.size).toBe(12);
    for (const [key, value] of expected) expect([key, series.get(key)]).toEqual([key, value]);
    expect(series.size).toBe(text.trim().split('\n').length);
    expect(problems.list).toEqual([]);
  });

  it.each([
    ['node_exporter', 'proc/net/snmp6', 'node_netstat_Ip6_OutNoRoutes', 3003],
    ['node_exporter', 'proc/net/snmp6', 'node_netstat_Udp6_RcvbufErrors', 9],
    ['procfs', 'proc/26231/net/snmp6', 'node_netstat_Ip6_InReceives', 92166],
  ])('%s %s: %s = %d', (tree, path, name, value) => {
    expect(seriesOf(parseSnmp6(readFixture(tree, ...path.split('/')), problemList())).get(name)).toBe(value);
  });

  it('skips and reports a line without a protocol or a number, keeping the rest', () => {
    const problems = problemList();
    expect(seriesOf(parseSnmp6('Ip6InReceives 7\nInReceives 3\nUdp6InErrors many\nUdp6NoPorts 2\n', problems))).toEqual(new Map([
      ['node_netstat_Ip6_InReceives', 7],
      ['node_netstat_Udp6_NoPorts', 2],
    ]));
    expect(problems.list).toEqual(['net/snmp6: unexpected line "InReceives 3"', 'net/snmp6 Udp6InErrors: expected an integer, got "many"']);
  });

  it('never throws on damaged input: finite values, valid names, no duplicate series, problems reported', () => {
    let reported = 0;
    let index = 0;
    for (const damaged of mutations(text, 5, 400)) {
      const problems = problemList();
      const samples = parseSnmp6(damaged, problems);
      expect(samples.every((s) => Number.isFinite(s.value) && /^node_netstat_[A-Za-z][A-Za-z0-9_]*$/.test(s.name)), `case ${index++}`).toBe(true);
      seriesOf(samples);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(100);
  });

  it("reads this machine's net/snmp6 without a problem (where IPv6 is on)", () => {
    const problems = problemList();
    const samples = existsSync('/proc/net/snmp6') ? parseSnmp6(readFileSync('/proc/net/snmp6', 'utf8'), problems) : [];
    expect(problems.list).toEqual([]);
    if (samples.length > 0) expect(seriesOf(samples).get('node_netstat_Ip6_InReceives')).toBeGreaterThanOrEqual(0);
  });
});
