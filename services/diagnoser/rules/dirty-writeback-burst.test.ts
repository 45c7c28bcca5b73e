import { describe, expect, it } from 'vitest';
import { dirtyWritebackBurst } from './dirty-writeback-burst.js';
import { at, evidenceOf, GiB, healthyScene, MiB, processSamples, T0 } from './testdata/field-scenes.js';

/**
 * The OS Console's field case: vm.dirty_background_ratio = 5 on a 32 GiB node, a log dumper dirtying
 * 180 MiB/s, the flusher kworker busy, 1.1 GiB dirty and the disk writing 210 MiB/s.
 */
function writebackScene(backgroundRatio = 5) {
  return [
    ...[0, 5_000].flatMap((t) => [
      at(T0 + t, 'node_sysctl_vm_dirty_background_ratio', backgroundRatio), at(T0 + t, 'node_sysctl_vm_dirty_ratio', 20), at(T0 + t, 'node_sysctl_vm_dirty_background_bytes', 0),
      at(T0 + t, 'node_memory_Dirty_bytes', 1.1 * GiB), at(T0 + t, 'node_memory_Writeback_bytes', 96 * MiB), at(T0 + t, 'node_memory_MemAvailable_bytes', 20 * GiB),
      at(T0 + t, 'node_disk_written_bytes_total', 5e10 + (t / 1000) * 210 * MiB, { device: 'nvme0n1' }),
    ]),
    ...processSamples(T0 + 5_000, { pid: 412, comm: 'kworker/u16:2+flush-259:0', state: 'D', writeBps: 0, cpuCores: 0.3 }),
    ...processSamples(T0 + 5_000, { pid: 3310, comm: 'logrotate-dump', state: 'R', writeBps: 180 * MiB }),
  ];
}

describe('dirtyWritebackBurst', () => {
  it('names the flusher and the dirtier and suggests the ratios', () => {
    const finding = dirtyWritebackBurst(evidenceOf(writebackScene(), 'IO'))!;
    expect(finding.cause).toBe('DIRTY_WRITEBACK_BURST');
    expect(finding.summary).toBe('dirty-page writeback burst by kworker/u16:2+flush-259:0 (pid 412): 1.2 GiB dirty/under writeback with vm.dirty_background_ratio = 5; pages dirtied by logrotate-dump (pid 3310)');
    expect(finding.suggestions.map((s) => s.command).slice(0, 2)).toEqual(['sysctl -w vm.dirty_background_ratio=10', 'sysctl -w vm.dirty_ratio=20']);
  });

  it('stays quiet with the default ratio, and on a healthy node', () => {
    expect(dirtyWritebackBurst(evidenceOf(writebackScene(10)))).toBeUndefined();
    expect(dirtyWritebackBurst(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
