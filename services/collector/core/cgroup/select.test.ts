import { describe, expect, it } from 'vitest';
import { batchSourceName, isPublishedCgroup, selectCgroups, shardCount, shardOf } from './select.js';

describe('isPublishedCgroup', () => {
  it.each([
    ['/kubepods', true],
    ['/kubepods/burstable', true],
    ['/kubepods/burstable/pod7a96c459-d529-44ae-9f99-90d3798d6426', true],
    ['/kubepods/burstable/pod7a96c459-d529-44ae-9f99-90d3798d6426/1d3d308a0c3d3c3b0a1b3a6d6d3b9c0f6e0e1d2c3b4a59687766554433221100', true],
    ['/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice/cri-containerd-1d3d.scope', true],
    ['/docker/b29faf21b7eff959f64b4192c34d5d67a707fe8561e9eaa608cb27693fba4242', true],
    ['/system.slice/docker-1c8fa019.scope', true],
    ['/system.slice/sshd.service', true],
    ['/user.slice/user-1000.slice/session-520.scope', true],
    ['/vigil-test-42', true],
    ['/process_api/e2b39efecd6f31f02e2cd9cb0128fcec', false],
    ['/a.slice/b.slice/c.slice/d.slice/e.slice/f.service', false],
    ['/', false],
  ])('%s → %s', (path, expected) => {
    expect(isPublishedCgroup(path)).toBe(expected);
  });
});

describe('selectCgroups', () => {
  it('keeps all in path order when they fit, else the largest by memory', () => {
    const candidates = [{ path: '/c', memoryUsageBytes: 5 }, { path: '/a' }, { path: '/b', memoryUsageBytes: 9 }];
    expect(selectCgroups(candidates, 3).map((c) => c.path)).toEqual(['/a', '/b', '/c']);
    expect(selectCgroups(candidates, 2).map((c) => c.path)).toEqual(['/b', '/c']);
  });
});

describe('sharding', () => {
  it('sizes shards from the configured bound only, and names one shard without a suffix', () => {
    expect(shardCount(1000, 100)).toBe(40);
    expect(shardCount(1000, 5)).toBe(2);
    expect(shardCount(20, 100)).toBe(1);
    expect(batchSourceName('memory', 0, 1)).toBe('cgroup.memory');
    expect(batchSourceName('memory', 7, 40)).toBe('cgroup.memory.7');
  });

  it('puts a path in the same shard every time (FNV-1a)', () => {
    expect(shardOf('', 40)).toBe(0x811c9dc5 % 40);
    expect(shardOf('/docker/abc', 40)).toBe(shardOf('/docker/abc', 40));
    const counts = new Array<number>(40).fill(0);
    for (let i = 0; i < 4000; i++) counts[shardOf(`/kubepods/burstable/pod${i}/container`, 40)]! += 1;
    expect(Math.max(...counts)).toBeLessThan(200); // 100 on average
  });
});
