import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { nodeExporterOracle, readFixture, seriesOf } from '../testing/fixtures.js';
import { parseNetstat } from './parse-netstat.js';
import { parseSnmp6 } from './parse-snmp6.js';
import { problemList } from './problems.js';

/** How many name/value pairs a netstat-format file holds: the fields of every header line. */
const fieldCount = (text: string): number =>
  text.trim().split('\n').filter((_, index) => index % 2 === 0).reduce((sum, line) => sum + line.trim().split(/\s+/).length - 1, 0);

describe('parseNetstat', () => {
  const netstat = readFixture('node_exporter', 'proc', 'net', 'netstat');
  const snmp = readFixture('node_exporter', 'proc', 'net', 'snmp');

  it("contains node_exporter's node_netstat_* series for the same net/netstat, net/snmp and net/snmp6 (it exports a subset)", () => {
    const problems = problemList();
    const series = seriesOf([
      ...parseNetstat(netstat, problems, 'net/netstat'),
      ...parseNetstat(snmp, problems, 'net/snmp'),
      ...parseSnmp6(readFixture('node_exporter', 'proc', 'net', 'snmp6'), problems),
    ]);
    const expected = nodeExporterOracle((name) => name.startsWith('node_netstat_'));
    expect(expected.size).toBe(41);
    for (const [key, value] of expected) expect([key, series.get(key)]).toEqual([key, value]);
    expect(problems.list).toEqual([]);
  });

  it('keeps every field of both files', () => {
    expect(parseNetstat(netstat, problemList())).toHaveLength(fieldCount(netstat));
    expect(parseNetstat(snmp, problemList())).toHaveLength(fieldCount(snmp));
  });

  it.each([
    ['node_exporter', 'snmp', 'node_netstat_Tcp_RetransSegs', 227],
    ['node_exporter', 'snmp', 'node_netstat_Tcp_MaxConn', -1],
    ['node_exporter', 'snmp', 'node_netstat_IcmpMsg_OutType3', 120],
    ['node_exporter', 'netstat', 'node_netstat_TcpExt_ListenOverflows', 0],
    ['node_exporter', 'netstat', 'node_netstat_TcpExt_ListenDrops', 0],
    ['node_exporter', 'netstat', 'node_netstat_TcpExt_TCPTimeouts', 115],
    ['node_exporter', 'netstat', 'node_netstat_IpExt_InOctets', 6286396970],
    ['procfs', '26231/net/snmp', 'node_netstat_Tcp_RetransSegs', 348],
    ['procfs', '26231/net/snmp', 'node_netstat_Udp_IgnoredMulti', 58],
  ])('%s proc/%s: %s = %d', (tree, file, name, value) => {
    const problems = problemList();
    expect(seriesOf(parseNetstat(readFixture(tree, 'proc', ...(file.includes('/') ? file.split('/') : ['net', file])), problems)).get(name)).toBe(value);
    expect(problems.list).toEqual([]);
  });

  it('skips and reports a pair whose names and values do not line up, keeping the other pairs', () => {
    const problems = problemList();
    const text = 'Tcp: ActiveOpens PassiveOpens RetransSegs\nTcp: 3556 227\nUdp: InDatagrams NoPorts\nUdp: 88542 120\nIp: Forwarding\n';
    expect(seriesOf(parseNetstat(text, problems, 'net/snmp'))).toEqual(new Map([['node_netstat_Udp_InDatagrams', 88542], ['node_netstat_Udp_NoPorts', 120]]));
    expect(problems.list).toEqual(['net/snmp Tcp: 3 names but 2 values', 'net/snmp Ip: no line of values']);
  });

  it('skips and reports an unreadable value, keeping the rest of its pair', () => {
    const problems = problemList();
    expect(seriesOf(parseNetstat('Udp: InDatagrams NoPorts\nUdp: 8e8 120\n', problems))).toEqual(new Map([['node_netstat_Udp_NoPorts', 120]]));
    expect(problems.list).toEqual(['net/netstat Udp: unreadable value "8e8"']);
  });

  it.each([['netstat'], ['snmp']])('never throws on a damaged net/%s: finite values, no duplicate series, problems reported', (file) => {
    let reported = 0;
    let index = 0;
    for (const damaged of mutations(file === 'snmp' ? snmp : netstat, 4, 300)) {
      const problems = problemList();
      const samples = parseNetstat(damaged, problems);
      expect(samples.every((s) => Number.isFinite(s.value) && /^node_netstat_[A-Za-z][A-Za-z0-9_]*$/.test(s.name)), `case ${index++}`).toBe(true);
      seriesOf(samples);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(100);
  });

  it("reads this machine's net/netstat and net/snmp without a problem", () => {
    const problems = problemList();
    const series = seriesOf([
      ...parseNetstat(readFileSync('/proc/net/netstat', 'utf8'), problems, 'net/netstat'),
      ...parseNetstat(readFileSync('/proc/net/snmp', 'utf8'), problems, 'net/snmp'),
    ]);
    expect(problems.list).toEqual([]);
    expect(series.get('node_netstat_Tcp_RetransSegs')).toBeGreaterThanOrEqual(0);
    expect(series.get('node_netstat_TcpExt_ListenOverflows')).toBeGreaterThanOrEqual(0);
  });
});
