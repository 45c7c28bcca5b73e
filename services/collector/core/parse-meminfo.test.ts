import { describe, expect, it } from 'vitest';
import { problemList } from './problems.js';
import { nodeExporterOracle, oracleFamilies, readFixture, seriesOf } from '../testing/fixtures.js';
import { parseMeminfo } from './parse-meminfo.js';

describe('parseMeminfo', () => {
  it("equals node_exporter's output for the same /proc/meminfo, every field", () => {
    const text = readFixture('node_exporter', 'proc', 'meminfo');
    const expected = nodeExporterOracle(oracleFamilies.meminfo);
    expect(expected.size).toBe(text.trim().split('\n').length);
    expect(seriesOf(parseMeminfo(text, problemList()))).toEqual(expected);
  });

  it.each([
    ['node_exporter', 'node_memory_MemTotal_bytes', 3.831959552e9],
    ['node_exporter', 'node_memory_MemFree_bytes', 2.30883328e8],
    ['node_exporter', 'node_memory_Active_anon_bytes', 2020004 * 1024],
    ['node_exporter', 'node_memory_HugePages_Total', 0],
    ['procfs', 'node_memory_MemTotal_bytes', 1.6042172416e10],
  ])('%s proc/meminfo: %s = %d', (tree, name, value) => {
    expect(seriesOf(parseMeminfo(readFixture(tree, 'proc', 'meminfo'), problemList())).get(name)).toBe(value);
  });

  it('keeps a unit-less field as it is', () => {
    expect(parseMeminfo('HugePages_Total:      12\nHugepagesize:       2048 kB\n', problemList())).toEqual([
      { name: 'node_memory_HugePages_Total', labels: {}, value: 12 },
      { name: 'node_memory_Hugepagesize_bytes', labels: {}, value: 2097152 },
    ]);
  });
});
