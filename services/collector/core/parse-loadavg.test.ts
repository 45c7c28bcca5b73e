import { describe, expect, it } from 'vitest';
import { nodeExporterOracle, oracleFamilies, readFixture, seriesOf } from '../testing/fixtures.js';
import { parseLoadavg } from './parse-loadavg.js';

describe('parseLoadavg', () => {
  it("equals node_exporter's output for the same /proc/loadavg", () => {
    const expected = nodeExporterOracle(oracleFamilies.loadavg);
    expect(expected.get('node_load1')).toBe(0.21);
    expect(seriesOf(parseLoadavg(readFixture('node_exporter', 'proc', 'loadavg')))).toEqual(expected);
  });

  it('reads the procfs tree (0.02 0.04 0.05 1/497 11947)', () => {
    expect(parseLoadavg(readFixture('procfs', 'proc', 'loadavg'))).toEqual([
      { name: 'node_load1', labels: {}, value: 0.02 },
      { name: 'node_load5', labels: {}, value: 0.04 },
      { name: 'node_load15', labels: {}, value: 0.05 },
    ]);
  });

  it.each([[''], ['0.21 0.37'], ['0.21 x 0.39 1/719 19737']])('rejects %j as a source error', (text) => {
    expect(() => parseLoadavg(text)).toThrow(expect.objectContaining({ code: 'VIGIL_SOURCE' }));
  });
});
