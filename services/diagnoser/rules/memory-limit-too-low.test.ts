import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { request } from './testdata/scenes.js';
import { at, cgroup, GiB, MiB, node, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';
import { memoryLimitTooLow } from './memory-limit-too-low.js';

describe('memoryLimitTooLow', () => {
  it('flags a container steady at 95 % of its limit and suggests the peak plus 25 %', () => {
    const scene = cgroup(4, (i) => ({ usage: 490 * MiB + (i % 2) * MiB, limit: 512 * MiB, inactiveFile: 4 * MiB, maxEvents: 10 + i * 5 }));
    const finding = memoryLimitTooLow(buildEvidence(request(scene)))!;
    expect(finding.cause).toBe('MEMORY_LIMIT_TOO_LOW');
    expect(finding.summary).toContain('pod shop/cart-7d9f');
    expect(finding.summary).toContain('raise it to 640 MiB');
    expect(finding.suggestions[0]!.command).toBe('kubectl -n shop set resources deployment/cart -c app --limits=memory=640Mi');
    expect(finding.suggestions[0]!.action).toContain('plus 25 % headroom');
    expect(finding.missing).toBeUndefined();
  });

  it('says when one reading cannot show "steady"', () => {
    expect(memoryLimitTooLow(buildEvidence(request(cgroup(1, () => ({ usage: 500 * MiB, limit: 512 * MiB, inactiveFile: 0 })))))!.missing).toHaveLength(1);
  });

  it.each([
    ['a container at half its limit', cgroup(4, () => ({ usage: 256 * MiB, limit: 512 * MiB, inactiveFile: 0 }))],
    ['a full limit made of page cache', cgroup(4, () => ({ usage: 510 * MiB, limit: 512 * MiB, inactiveFile: 300 * MiB }))],
    ['growth through the limit zone (a leak)', cgroup(4, (i) => ({ usage: 470 * MiB + i * 12 * MiB, limit: 512 * MiB, inactiveFile: 0 }))],
  ])('is silent for %s', (_name, scene) => {
    expect(memoryLimitTooLow(buildEvidence(request(scene)))).toBeUndefined();
  });
});
