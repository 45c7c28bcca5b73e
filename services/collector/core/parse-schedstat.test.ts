import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createHostFiles } from '../host-files.js';
import { singleFileSource } from '../sources/single-file.js';
import { mutations } from '../testing/fuzz.js';
import { nodeExporterOracle, readFixture, seriesOf } from '../testing/fixtures.js';
import { parseSchedstat } from './parse-schedstat.js';
import { problemList } from './problems.js';

describe('parseSchedstat', () => {
  const text = readFixture('node_exporter', 'proc', 'schedstat');

  it("equals node_exporter's node_schedstat_* series for the same /proc/schedstat", () => {
    const problems = problemList();
    const expected = nodeExporterOracle((name) => name.startsWith('node_schedstat_'));
    // cpu0: 2045936778163039 ns running, 343796328169361 ns waiting, 4767485306 timeslices
    expect(expected.get('node_schedstat_running_seconds_total{cpu="0"}')).toBe(2045936.778163039);
    expect(expected.get('node_schedstat_waiting_seconds_total{cpu="0"}')).toBe(343796.328169361);
    expect(expected.get('node_schedstat_timeslices_total{cpu="1"}')).toBe(5145567945);
    expect(seriesOf(parseSchedstat(text, problems))).toEqual(expected);
    expect(problems.list).toEqual([]);
  });

  it('skips and reports a short cpu line, keeping the others', () => {
    const problems = problemList();
    const series = seriesOf(parseSchedstat(`version 15\ncpu0 1 2 3\ncpu1 0 0 0 0 0 0 2000000000 500000000 7\n`, problems));
    expect(problems.list).toEqual(['schedstat: unexpected line "cpu0 1 2 3"']);
    expect(series).toEqual(new Map([
      ['node_schedstat_running_seconds_total{cpu="1"}', 2],
      ['node_schedstat_waiting_seconds_total{cpu="1"}', 0.5],
      ['node_schedstat_timeslices_total{cpu="1"}', 7],
    ]));
  });

  it('never throws on damaged input: finite values, no duplicate series, problems reported', () => {
    let reported = 0;
    let index = 0;
    for (const damaged of mutations(text, 3, 400)) {
      const problems = problemList();
      const samples = parseSchedstat(damaged, problems);
      expect(samples.every((s) => Number.isFinite(s.value)), `case ${index++}`).toBe(true);
      seriesOf(samples);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(50);
  });

  it("reads this machine's /proc/schedstat, three series per CPU, or nothing without a problem where the kernel has no schedstats", async () => {
    const problems = problemList();
    const source = singleFileSource('proc.schedstat', 'proc/schedstat', parseSchedstat);
    const batches = await source.collect({ files: createHostFiles({ procRoot: '/proc', sysRoot: '/sys' }), problems, nowMs: 0 });
    expect(problems.list).toEqual([]);
    const timeslices = batches.flatMap((batch) => batch.samples).filter((s) => s.name === 'node_schedstat_timeslices_total');
    if (existsSync('/proc/schedstat')) expect(timeslices.length).toBeGreaterThanOrEqual(availableParallelism());
    else expect(batches).toEqual([]); // CONFIG_SCHEDSTATS=n
  });
});
