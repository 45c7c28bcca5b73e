import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { nodeExporterOracle, readFixture, seriesOf } from '../testing/fixtures.js';
import { parseFileNr, parseLoadavgThreads, parseSingleValue } from './parse-files.js';
import { problemList, type ProblemList } from './problems.js';

describe('parseFileNr', () => {
  it("equals node_exporter's node_filefd_* for the same sys/fs/file-nr (`1024\\t0\\t1631329`)", () => {
    const problems = problemList();
    const expected = nodeExporterOracle((name) => name.startsWith('node_filefd_'));
    expect(expected).toEqual(new Map([['node_filefd_allocated', 1024], ['node_filefd_maximum', 1631329]]));
    expect(seriesOf(parseFileNr(readFixture('node_exporter', 'proc', 'sys', 'fs', 'file-nr'), problems))).toEqual(expected);
    expect(problems.list).toEqual([]);
  });

  it('reports a file without three integers, keeping what it can read', () => {
    const problems = problemList();
    expect(seriesOf(parseFileNr('1024 0', problems))).toEqual(new Map([['node_filefd_allocated', 1024]]));
    expect(problems.list).toEqual(['sys/fs/file-nr: expected three integers, got "1024 0"']);
  });
});

describe('parseLoadavgThreads', () => {
  it.each([
    ['node_exporter', 1, 719], // 0.21 0.37 0.39 1/719 19737
    ['procfs', 1, 497], // 0.02 0.04 0.05 1/497 11947
  ])('%s proc/loadavg: %d runnable of %d threads', (tree, runnable, total) => {
    const problems = problemList();
    expect(seriesOf(parseLoadavgThreads(readFixture(tree, 'proc', 'loadavg'), problems))).toEqual(new Map([
      ['node_procs_threads_runnable', runnable],
      ['node_procs_threads', total],
    ]));
    expect(problems.list).toEqual([]);
  });

  it('reports a loadavg without runnable/total', () => {
    const problems = problemList();
    expect(parseLoadavgThreads('0.21 0.37 0.39\n', problems)).toEqual([]);
    expect(problems.list).toEqual(['loadavg threads: expected runnable/total, got undefined']);
  });
});

describe('parseSingleValue', () => {
  it.each([
    ['sys/kernel/pid_max', 'node_processes_max_processes'],
    ['sys/kernel/threads-max', 'node_processes_max_threads'],
    ['sys/net/netfilter/nf_conntrack_count', 'node_nf_conntrack_entries'],
    ['sys/net/netfilter/nf_conntrack_max', 'node_nf_conntrack_entries_limit'],
  ])("node_exporter proc/%s equals node_exporter's %s", (file, name) => {
    const problems = problemList();
    const expected = nodeExporterOracle((n) => n === name);
    expect(expected.size).toBe(1);
    expect(seriesOf(parseSingleValue(name, readFixture('node_exporter', 'proc', ...file.split('/')), problems, file))).toEqual(expected);
    expect(problems.list).toEqual([]);
  });

  it('reports a file that is not one integer', () => {
    const problems = problemList();
    expect(parseSingleValue('node_processes_max_processes', '4194304 1\n', problems, 'sys/kernel/pid_max')).toEqual([]);
    expect(problems.list).toEqual(['sys/kernel/pid_max: expected one integer, got "4194304 1"']);
  });
});

describe('proc.files parsers on damaged input', () => {
  it.each([
    ['file-nr', (text: string, problems: ProblemList) => parseFileNr(text, problems), readFixture('node_exporter', 'proc', 'sys', 'fs', 'file-nr')],
    ['loadavg', parseLoadavgThreads, readFixture('node_exporter', 'proc', 'loadavg')],
    ['pid_max', (text: string, problems: ProblemList) => parseSingleValue('node_processes_max_processes', text, problems, 'pid_max'), '4194304\n'],
  ])('%s: never throws, finite values, problems reported', (_name, parse, text) => {
    let reported = 0;
    let index = 0;
    for (const damaged of mutations(text, 7, 300)) {
      const problems = problemList();
      const samples = parse(damaged, problems);
      expect(samples.every((s) => Number.isFinite(s.value)), `case ${index++}`).toBe(true);
      seriesOf(samples);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(50);
  });
});
