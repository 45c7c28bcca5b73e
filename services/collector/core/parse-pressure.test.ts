import { describe, expect, it } from 'vitest';
import { problemList } from './problems.js';
import { nodeExporterOracle, oracleFamilies, readFixture, seriesOf } from '../testing/fixtures.js';
import { parsePressure, pressureResources } from './parse-pressure.js';

describe('parsePressure', () => {
  it("equals node_exporter's counters for the same /proc/pressure files", () => {
    const samples = pressureResources.flatMap((resource) => parsePressure(resource, readFixture('node_exporter', 'proc', 'pressure', resource), problemList()));
    const counters = samples.filter((s) => s.name.endsWith('_seconds_total'));
    const expected = nodeExporterOracle(oracleFamilies.pressure);
    expect(expected.get('node_pressure_cpu_waiting_seconds_total')).toBe(14.036781000000001);
    expect(seriesOf(counters)).toEqual(expected);
  });

  it('reads the moving averages as ratios (procfs pressure/memory)', () => {
    expect(seriesOf(parsePressure('memory', readFixture('procfs', 'proc', 'pressure', 'memory'), problemList()))).toEqual(new Map([
      // µs / 1000 / 1000 like node_exporter, float noise included (0.000014999999999999999)
      ['node_pressure_memory_waiting_seconds_total', 15 / 1000 / 1000],
      ['node_pressure_memory_waiting_avg10_ratio', 0.001],
      ['node_pressure_memory_waiting_avg60_ratio', 0.02],
      ['node_pressure_memory_waiting_avg300_ratio', 0.0385],
      ['node_pressure_memory_stalled_seconds_total', 25 / 1000 / 1000],
      ['node_pressure_memory_stalled_avg10_ratio', 0.002],
      ['node_pressure_memory_stalled_avg60_ratio', 0.03],
      ['node_pressure_memory_stalled_avg300_ratio', 0.0495],
    ]));
  });

  it('drops the system-wide cpu full line, as node_exporter does', () => {
    const names = parsePressure('cpu', readFixture('procfs', 'proc', 'pressure', 'cpu'), problemList()).map((s) => s.name);
    expect(names.filter((name) => name.includes('stalled'))).toEqual([]);
    expect(names).toContain('node_pressure_cpu_waiting_avg300_ratio');
  });

  it('reads irq, a single full line without a trailing newline', () => {
    const text = readFixture('node_exporter', 'proc', 'pressure', 'irq');
    expect(text.endsWith('\n')).toBe(false);
    expect(seriesOf(parsePressure('irq', text, problemList())).get('node_pressure_irq_stalled_seconds_total')).toBe(0.008494);
  });

  it('skips and reports an unknown line, keeping the known ones', () => {
    const problems = problemList();
    const samples = parsePressure('io', 'most avg10=0.00 total=1\nsome avg10=1.00 avg60=0.00 avg300=0.00 total=5\n', problems);
    expect(seriesOf(samples).get('node_pressure_io_waiting_avg10_ratio')).toBe(0.01);
    expect(problems.list).toEqual(['pressure/io: unexpected line "most avg10=0.00 total=1"']);
  });
});
