import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { request } from './testdata/scenes.js';
import { at, cgroup, GiB, MiB, node, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';
import { slabUnreclaimableGrowth } from './slab-unreclaimable-growth.js';

describe('slabUnreclaimableGrowth', () => {
  it('flags node SUnreclaim growing 400 MiB', () => {
    const finding = slabUnreclaimableGrowth(buildEvidence(request(node(5, () => 10 * GiB, { SUnreclaim: (i) => 1 * GiB + i * 100 * MiB }))))!;
    expect(finding.cause).toBe('SLAB_UNRECLAIMABLE_GROWTH');
    expect(finding.summary).toContain('node SUnreclaim grew 400.0 MiB');
    expect(finding.suggestions[0]!.command).toContain('slabtop');
  });

  it('flags a cgroup slab_unreclaimable growth', () => {
    const scene = cgroup(3, (i) => ({ usage: GiB, inactiveFile: 0, slabUnreclaimable: 200 * MiB + i * 100 * MiB }));
    expect(slabUnreclaimableGrowth(buildEvidence(request(scene)))!.summary).toContain('pod shop/cart-7d9f');
  });

  it('is silent for a normal, flat SUnreclaim (this machine: 36604 kB)', () => {
    expect(slabUnreclaimableGrowth(buildEvidence(request(node(2, () => 20 * GiB, { SUnreclaim: () => 36604 * 1024 }))))).toBeUndefined();
  });
});
