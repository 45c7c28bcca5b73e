import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { request } from './testdata/scenes.js';
import { at, cgroup, GiB, MiB, node, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';
import { pageCacheNotLeak } from './page-cache-not-leak.js';

describe('pageCacheNotLeak', () => {
  it('explains a limit full of inactive page cache', () => {
    const finding = pageCacheNotLeak(buildEvidence(request(cgroup(2, () => ({ usage: 980 * MiB, limit: GiB, inactiveFile: 700 * MiB, activeFile: 40 * MiB })))))!;
    expect(finding.cause).toBe('PAGE_CACHE_NOT_LEAK');
    expect(finding.summary).toContain('700.0 MiB of it is inactive page cache');
    expect(finding.summary).toContain('not a leak');
    expect(finding.severity).toBe('INFO');
  });

  it('is silent when the working set itself is near the limit', () => {
    expect(pageCacheNotLeak(buildEvidence(request(cgroup(2, () => ({ usage: 1000 * MiB, limit: GiB, inactiveFile: 100 * MiB })))))).toBeUndefined();
  });

  it('explains low MemFree with ample MemAvailable when the anomaly is about free memory', () => {
    const scene = node(1, () => 20 * GiB, { MemFree: () => 300 * MiB, Cached: () => 18 * GiB });
    const req = { ...request(scene), metric: 'node_memory_MemFree_bytes' };
    expect(pageCacheNotLeak(buildEvidence(req))?.cause).toBe('PAGE_CACHE_NOT_LEAK');
    expect(pageCacheNotLeak(buildEvidence(request(scene)))).toBeUndefined();
  });
});
