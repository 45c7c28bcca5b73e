import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { request } from './testdata/scenes.js';
import { at, cgroup, GiB, MiB, node, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';
import { shmemGrowth } from './shmem-growth.js';

describe('shmemGrowth', () => {
  it('names the cgroup whose shmem grows', () => {
    const scene = [...cgroup(4, (i) => ({ usage: GiB + i * 200 * MiB, inactiveFile: 0, shmem: 100 * MiB + i * 200 * MiB })), ...node(4, () => 10 * GiB, { Shmem: (i) => 120 * MiB + i * 200 * MiB })];
    const finding = shmemGrowth(buildEvidence(request(scene)))!;
    expect(finding.cause).toBe('SHMEM_GROWTH');
    expect(finding.summary).toContain('pod shop/cart-7d9f');
    expect(finding.summary).toContain('grew 600.0 MiB');
  });

  it('is silent for a flat, small Shmem (this machine: 8872 kB)', () => {
    expect(shmemGrowth(buildEvidence(request(node(2, () => 20 * GiB, { Shmem: () => 8872 * 1024 }))))).toBeUndefined();
  });
});
