import { describe, expect, it } from 'vitest';
import { problemList } from '../core/problems.js';
import { createHostFiles } from '../host-files.js';
import { fixturePath, nodeExporterOracle, seriesOf } from '../testing/fixtures.js';
import { netstatSource } from './netstat.js';

async function collect(procRoot: string) {
  const problems = problemList();
  const batches = await netstatSource.collect({ files: createHostFiles({ procRoot, sysRoot: '/nonexistent' }), problems, nowMs: 0 });
  return { batches, problems: problems.list, series: seriesOf(batches.flatMap((batch) => batch.samples)) };
}

describe('proc.netstat', () => {
  it("contains node_exporter's node_netstat_* series on its fixture tree (net/netstat, net/snmp, net/snmp6)", async () => {
    const { batches, problems, series } = await collect(fixturePath('node_exporter', 'proc'));
    expect(problems).toEqual([]);
    expect(batches.map((batch) => batch.source)).toEqual(['proc.netstat']);
    for (const [key, value] of nodeExporterOracle((name) => name.startsWith('node_netstat_'))) expect([key, series.get(key)]).toEqual([key, value]);
    expect(series.get('node_netstat_Tcp_RetransSegs')).toBe(227);
  });

  it('is absent, without a problem, where none of its files exist', async () => {
    expect(await collect(fixturePath('no-such-tree'))).toEqual({ batches: [], problems: [], series: new Map() });
  });

  it("reads this machine's counters without a problem", async () => {
    const { problems, series } = await collect('/proc');
    expect(problems).toEqual([]);
    expect(series.get('node_netstat_Tcp_ActiveOpens')).toBeGreaterThanOrEqual(0);
  });
});
