import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { request } from './testdata/scenes.js';
import { at, cgroup, GiB, MiB, node, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';
import { directReclaimStall } from './direct-reclaim-stall.js';

const vmstat = (allocstallPerSnapshot: number, pgscanPerSnapshot: number) => [0, 1].flatMap((i) => [
  at(i, 'node_vmstat_allocstall_normal', 1000 + i * allocstallPerSnapshot), at(i, 'node_vmstat_allocstall_movable', 0),
  at(i, 'node_vmstat_pgscan_direct', 50_000 + i * pgscanPerSnapshot), at(i, 'node_sysctl_vm_min_free_kbytes', 67584),
]);
const psi = (some: number, full: number) => [at(1, 'node_pressure_memory_waiting_avg10_ratio', some), at(1, 'node_pressure_memory_stalled_avg10_ratio', full)];

describe('directReclaimStall', () => {
  it('flags stalls with direct reclaim running, and suggests min_free_kbytes at 1 % of RAM', () => {
    const finding = directReclaimStall(buildEvidence(request([...vmstat(500, 200_000), ...psi(0.35, 0.12), ...node(2, () => 400 * MiB)])));
    expect(finding && 'cause' in finding && finding.cause).toBe('DIRECT_RECLAIM_STALL');
    if (!finding || !('cause' in finding)) return;
    expect(finding.severity).toBe('CRITICAL');
    expect(finding.suggestions[0]!.setting).toBe('vm.min_free_kbytes=335544 vm.watermark_scale_factor=200');
  });

  it('is silent on an idle node (this machine: PSI 0.00, allocstall 0)', () => {
    expect(directReclaimStall(buildEvidence(request([...vmstat(0, 0), ...psi(0, 0)])))).toBeUndefined();
  });

  it('says it could not check without PSI or vmstat rates', () => {
    expect(directReclaimStall(buildEvidence(request(node(1, () => GiB))))).toEqual({ missing: [expect.stringContaining('not checked')] });
  });
});
