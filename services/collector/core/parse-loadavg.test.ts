import { describe, expect, it } from 'vitest';
import { problemList } from './problems.js';
import { nodeExporterOracle, oracleFamilies, readFixture, seriesOf } from '../testing/fixtures.js';
import { parseLoadavg } from './parse-loadavg.js';

describe('parseLoadavg', () => {
  it("equals node_exporter's output for the same /proc/loadavg", () => {
    const expected = nodeExporterOracle(oracleFamilies.loadavg);
    expect(expected.get('node_load1')).toBe(0.21);
    expect(seriesOf(parseLoadavg(readFixture('node_exporter', 'proc', 'loadavg'), problemList()))).toEqual(expected);
  });

  it('reads the procfs tree (0.02 0.04 0.05 1/497 11947)', () => {
    expect(parseLoadavg(readFixture('procfs', 'proc', 'loadavg'), problemList())).toEqual([
      { name: 'node_load1', labels: {}, value: 0.02 },
      { name: 'node_load5', labels: {}, value: 0.04 },
      { name: 'node_load15', labels: {}, value: 0.05 },
    ]);
  });

  it.each([['', 3], ['0.21 0.37', 1], ['0.21 x 0.39 1/719 19737', 1]])('keeps what it can read of %j and reports %i problem(s)', (text, count) => {
    const problems = problemList();
    expect(parseLoadavg(text, problems)).toHaveLength(3 - count);
    expect(problems.list).toHaveLength(count);
  });
});
