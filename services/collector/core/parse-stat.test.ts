import { describe, expect, it } from 'vitest';
import { problemList } from './problems.js';
import { nodeExporterOracle, oracleFamilies, readFixture, seriesOf } from '../testing/fixtures.js';
import { parseStat } from './parse-stat.js';

describe('parseStat', () => {
  it("equals node_exporter's output for the same /proc/stat, series by series", () => {
    const samples = parseStat(readFixture('node_exporter', 'proc', 'stat'), problemList());
    const expected = nodeExporterOracle(oracleFamilies.stat);
    expect(expected.size).toBe(64 + 16 + 6);
    expect(seriesOf(samples)).toEqual(expected);
  });

  it.each([
    ['node_exporter', 'node_cpu_seconds_total{cpu="0",mode="user"}', 444.9],
    ['node_exporter', 'node_cpu_guest_seconds_total{cpu="7",mode="user"}', 0.09],
    ['node_exporter', 'node_boot_time_seconds', 1418183276],
    ['node_exporter', 'node_forks_total', 26442],
    ['procfs', 'node_cpu_seconds_total{cpu="1",mode="idle"}', 11107.87],
    ['procfs', 'node_cpu_guest_seconds_total{cpu="0",mode="nice"}', 0],
  ])('%s proc/stat: %s = %d', (tree, series, value) => {
    expect(seriesOf(parseStat(readFixture(tree, 'proc', 'stat'), problemList())).get(series)).toBe(value);
  });

  it('uses the given USER_HZ', () => {
    const series = seriesOf(parseStat(readFixture('node_exporter', 'proc', 'stat'), problemList(), 1000));
    expect(series.get('node_cpu_seconds_total{cpu="0",mode="user"}')).toBe(44.49);
  });

  it('emits only the modes an older kernel prints, and no all-CPU line', () => {
    const samples = parseStat('cpu  10 20 30 40\ncpu0 10 20 30 40\nctxt 5\n', problemList());
    expect(samples.map((s) => `${s.name}:${s.labels.cpu ?? ''}:${s.labels.mode ?? ''}`)).toEqual([
      'node_cpu_seconds_total:0:user',
      'node_cpu_seconds_total:0:nice',
      'node_cpu_seconds_total:0:system',
      'node_cpu_seconds_total:0:idle',
      'node_context_switches_total::',
    ]);
  });

  it('skips and reports a malformed number', () => {
    const problems = problemList();
    expect(seriesOf(parseStat('ctxt many\nprocs_running 3\n', problems))).toEqual(new Map([['node_procs_running', 3]]));
    expect(problems.list).toEqual(['stat ctxt: expected a number, got "many"']);
  });
});
