import { describe, expect, it } from 'vitest';
import { diskNearlyFull } from './disk-nearly-full.js';
import { at, evidenceOf, GiB, healthyScene, T0 } from './testdata/field-scenes.js';

const root = { mountpoint: '/var/lib/containerd', device: '/dev/nvme0n1p1', fstype: 'ext4' };
const snap = { mountpoint: '/snap/core20/2105', device: '/dev/loop3', fstype: 'squashfs' };

function fsScene(availGiB: number, filesFree = 5_000_000) {
  return [0, 60_000].flatMap((t) => [
    at(T0 + t, 'node_filesystem_size_bytes', 100 * GiB, root), at(T0 + t, 'node_filesystem_avail_bytes', (availGiB + (t === 0 ? 0.5 : 0)) * GiB, root),
    at(T0 + t, 'node_filesystem_files', 6_553_600, root), at(T0 + t, 'node_filesystem_files_free', filesFree, root),
    at(T0 + t, 'node_filesystem_size_bytes', 64e6, snap), at(T0 + t, 'node_filesystem_avail_bytes', 0, snap),
  ]);
}

describe('diskNearlyFull (node_exporter filesystem metric names)', () => {
  it('finds the filesystem nearly out of space, and how soon it fills', () => {
    const finding = diskNearlyFull(evidenceOf(fsScene(4), 'DISK'))!;
    expect(finding.cause).toBe('DISK_NEARLY_FULL');
    expect(finding.summary).toBe('/var/lib/containerd (/dev/nvme0n1p1) has 4 % of its space left (4.0 GiB), full in 8 min at the current rate');
    expect(finding.severity).toBe('CRITICAL');
  });

  it('finds inodes running out with space to spare', () => {
    expect(diskNearlyFull(evidenceOf(fsScene(50, 200_000)))!.summary).toBe('/var/lib/containerd (/dev/nvme0n1p1) has 3 % of its inodes left (200000 inodes)');
  });

  it('ignores full read-only images (squashfs) and a healthy node', () => {
    expect(diskNearlyFull(evidenceOf(fsScene(50)))).toBeUndefined();
    expect(diskNearlyFull(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
