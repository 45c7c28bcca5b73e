import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { problemList } from '../core/problems.js';
import { createHostFiles } from '../host-files.js';
import { fixturePath, nodeExporterOracle, seriesOf } from '../testing/fixtures.js';
import { filesSource } from './files.js';

async function collect(procRoot: string) {
  const problems = problemList();
  const batches = await filesSource.collect({ files: createHostFiles({ procRoot, sysRoot: '/nonexistent' }), problems, nowMs: 0 });
  return { batches, problems: problems.list, series: seriesOf(batches.flatMap((batch) => batch.samples)) };
}
const cat = (path: string): number => Number(readFileSync(path, 'utf8').trim().split(/\s+/)[0]);

describe('proc.files', () => {
  it("equals node_exporter's filefd, processes limits and conntrack entries on its fixture tree, plus loadavg's thread counts", async () => {
    const { batches, problems, series } = await collect(fixturePath('node_exporter', 'proc'));
    expect(problems).toEqual([]);
    expect(batches.map((batch) => batch.source)).toEqual(['proc.files']);
    const expected = nodeExporterOracle((name) =>
      ['node_filefd_allocated', 'node_filefd_maximum', 'node_processes_max_processes', 'node_processes_max_threads', 'node_nf_conntrack_entries', 'node_nf_conntrack_entries_limit'].includes(name));
    expect(expected.size).toBe(6);
    expect(series).toEqual(new Map([...expected, ['node_procs_threads_runnable', 1], ['node_procs_threads', 719]]));
  });

  it('is absent, without a problem, where none of its files exist', async () => {
    expect(await collect(fixturePath('no-such-tree'))).toEqual({ batches: [], problems: [], series: new Map() });
  });

  it("reads this machine: pid_max, threads-max, file-max and conntrack as cat shows them", async () => {
    const { problems, series } = await collect('/proc');
    expect(problems).toEqual([]);
    expect(series.get('node_processes_max_processes')).toBe(cat('/proc/sys/kernel/pid_max'));
    expect(series.get('node_processes_max_threads')).toBe(cat('/proc/sys/kernel/threads-max'));
    expect(series.get('node_filefd_maximum')).toBe(Number(readFileSync('/proc/sys/fs/file-nr', 'utf8').trim().split(/\s+/)[2]));
    expect(series.get('node_filefd_allocated')).toBeGreaterThan(0);
    expect(series.get('node_procs_threads')).toBeGreaterThan(0);
    const conntrack = '/proc/sys/net/netfilter/nf_conntrack_max';
    expect(series.get('node_nf_conntrack_entries_limit')).toBe(existsSync(conntrack) ? cat(conntrack) : undefined);
    expect(series.has('node_nf_conntrack_entries')).toBe(existsSync('/proc/sys/net/netfilter/nf_conntrack_count'));
  });
});
