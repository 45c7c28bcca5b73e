import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnosisSysctls, sysctlMetricName, sysctlPath } from '../core/parse-sysctl.js';
import { problemList } from '../core/problems.js';
import { createHostFiles } from '../host-files.js';
import { fixturePath, seriesOf } from '../testing/fixtures.js';
import { sysctlSource } from './sysctl.js';

async function collect(procRoot: string) {
  const problems = problemList();
  const batches = await sysctlSource().collect({ files: createHostFiles({ procRoot, sysRoot: '/nonexistent' }), problems, nowMs: 0 });
  return { batches, problems: problems.list, series: seriesOf(batches.flatMap((batch) => batch.samples)) };
}

describe('proc.sysctl', () => {
  it('reads the vm settings of the procfs tree and skips the absent ones silently', async () => {
    const { batches, problems, series } = await collect(fixturePath('procfs', 'proc'));
    expect(problems).toEqual([]);
    expect(batches.map((batch) => batch.source)).toEqual(['proc.sysctl']);
    expect(series.size).toBe(12);
    expect(series.get('node_sysctl_vm_dirty_ratio')).toBe(20);
    expect(series.get('node_sysctl_vm_dirty_background_bytes')).toBe(0);
    expect(series.get('node_sysctl_vm_swappiness')).toBe(60);
    expect(series.has('node_sysctl_net_core_somaxconn')).toBe(false);
  });

  it('reads kernel and conntrack limits of the node_exporter tree', async () => {
    const { problems, series } = await collect(fixturePath('node_exporter', 'proc'));
    expect(problems).toEqual([]);
    expect(series).toEqual(new Map([
      ['node_sysctl_kernel_pid_max', 123],
      ['node_sysctl_kernel_threads_max', 7801],
      ['node_sysctl_net_netfilter_nf_conntrack_max', 65536],
    ]));
  });

  it("reads this machine's sysctls as cat shows them", async () => {
    const { problems, series } = await collect('/proc');
    expect(problems).toEqual([]);
    const present = diagnosisSysctls.filter((name) => existsSync(`/${sysctlPath(name)}`));
    expect(present).toContain('vm.dirty_ratio');
    expect([...series.keys()]).toEqual(present.map(sysctlMetricName));
    for (const name of present) expect([name, series.get(sysctlMetricName(name))]).toEqual([name, Number(readFileSync(`/${sysctlPath(name)}`, 'utf8').trim())]);
  });
});
