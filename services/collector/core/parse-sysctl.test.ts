import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { nodeExporterOracle, readFixture, seriesOf } from '../testing/fixtures.js';
import { problemList } from './problems.js';
import { diagnosisSysctls, parseSysctl, sysctlMetricName, sysctlPath } from './parse-sysctl.js';

describe('parseSysctl', () => {
  it("names a sysctl as node_exporter's sysctl collector does, and equals its output for kernel.threads-max", () => {
    const problems = problemList();
    expect(sysctlMetricName('vm.dirty_ratio')).toBe('node_sysctl_vm_dirty_ratio');
    expect(sysctlMetricName('net.ipv4.tcp_max_syn_backlog')).toBe('node_sysctl_net_ipv4_tcp_max_syn_backlog');
    const expected = nodeExporterOracle((name) => name === 'node_sysctl_kernel_threads_max');
    expect(expected).toEqual(new Map([['node_sysctl_kernel_threads_max', 7801]]));
    expect(seriesOf(parseSysctl('kernel.threads-max', readFixture('node_exporter', 'proc', 'sys', 'kernel', 'threads-max'), problems))).toEqual(expected);
    expect(problems.list).toEqual([]);
  });

  it("labels several values by index, as node_exporter does for fs.file-nr", () => {
    const expected = nodeExporterOracle((name) => name === 'node_sysctl_fs_file_nr');
    expect(seriesOf(parseSysctl('fs.file-nr', readFixture('node_exporter', 'proc', 'sys', 'fs', 'file-nr'), problemList()))).toEqual(expected);
  });

  it.each([
    ['vm.dirty_ratio', 20],
    ['vm.dirty_background_ratio', 10],
    ['vm.dirty_bytes', 0],
    ['vm.dirty_expire_centisecs', 3000],
    ['vm.dirty_writeback_centisecs', 500],
    ['vm.swappiness', 60],
    ['vm.min_free_kbytes', 67584],
    ['vm.overcommit_memory', 0],
    ['vm.overcommit_ratio', 50],
    ['vm.max_map_count', 65530],
    ['vm.vfs_cache_pressure', 100],
  ])('procfs %s = %d', (name, value) => {
    const problems = problemList();
    expect(parseSysctl(name, readFixture('procfs', ...sysctlPath(name).split('/')), problems)).toEqual([{ name: sysctlMetricName(name), labels: {}, value }]);
    expect(problems.list).toEqual([]);
  });

  it('maps every diagnosis sysctl to its file under proc/sys', () => {
    expect(sysctlPath('net.netfilter.nf_conntrack_max')).toBe('proc/sys/net/netfilter/nf_conntrack_max');
    expect(sysctlPath('kernel.threads-max')).toBe('proc/sys/kernel/threads-max');
    expect(diagnosisSysctls).toHaveLength(19);
  });

  it('skips and reports a value that is not an integer', () => {
    const problems = problemList();
    expect(parseSysctl('vm.swappiness', 'sixty\n', problems)).toEqual([]);
    expect(parseSysctl('vm.swappiness', '', problems)).toEqual([]);
    expect(problems.list).toEqual(['sysctl vm.swappiness: expected integers, got "sixty"', 'sysctl vm.swappiness: expected integers, got ""']);
  });

  it('never throws on damaged input: finite values, problems reported', () => {
    let reported = 0;
    let index = 0;
    for (const damaged of mutations('256\t256\t32\t0\t0\n', 8, 300)) {
      const problems = problemList();
      const samples = parseSysctl('vm.lowmem_reserve_ratio', damaged, problems);
      expect(samples.every((s) => Number.isFinite(s.value)), `case ${index++}`).toBe(true);
      seriesOf(samples);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(50);
  });
});
