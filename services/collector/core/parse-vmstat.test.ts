import { describe, expect, it } from 'vitest';
import { problemList } from './problems.js';
import { nodeExporterOracle, oracleFamilies, readFixture, seriesOf } from '../testing/fixtures.js';
import { parseVmstat } from './parse-vmstat.js';

describe('parseVmstat', () => {
  const text = readFixture('node_exporter', 'proc', 'vmstat');

  it("contains node_exporter's output for the same /proc/vmstat (it exports a subset)", () => {
    const series = seriesOf(parseVmstat(text, problemList()));
    const expected = nodeExporterOracle(oracleFamilies.vmstat);
    expect(expected.get('node_vmstat_oom_kill')).toBe(0);
    expect(expected.size).toBe(7);
    for (const [key, value] of expected) expect([key, series.get(key)]).toEqual([key, value]);
  });

  it('emits every field of the file', () => {
    const fields = text.trim().split('\n').map((line) => line.split(' ')[0]);
    expect(parseVmstat(text, problemList()).map((s) => s.name)).toEqual(fields.map((field) => `node_vmstat_${field}`));
    expect(seriesOf(parseVmstat(text, problemList())).get('node_vmstat_pgmajfault')).toBe(507162);
  });
});
