import { statfs } from 'node:fs/promises';
import type { Sample } from '../../../src/codec/records.generated.js';
import { measuredMounts, parseMounts } from '../core/parse-mounts.js';
import { sample } from '../core/samples.js';
import type { Source } from '../source.js';

/** What statfs(2) says of a mounted filesystem, in blocks of `bsize` bytes and in inodes. */
export interface FilesystemStats {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

export interface FilesystemSourceOptions {
  /** Where the host's root filesystem is seen from this process: `/` on the host, its mount (e.g. /host/root) in a container. Default `/`. */
  hostRoot?: string;
  /** statfs of a path; node:fs's by default. */
  statfs?: (path: string) => Promise<FilesystemStats>;
  /** A statfs not answered in this long (a dead NFS server) marks the mount stuck: skipped until that call returns. Default 5000. */
  statfsTimeoutMs?: number;
}

/**
 * fs.filesystems: node_exporter's filesystem collector. The mounts of the host's init (proc/1/mounts,
 * so a collector in a container with the host's /proc sees the host's), without pseudo filesystems
 * and kernel trees, each measured with statfs at hostRoot + mount point (node_exporter's
 * --path.rootfs; in a container, the host's / mounted somewhere, e.g. /host/root):
 * node_filesystem_{size,free,avail}_bytes, node_filesystem_{files,files_free},
 * node_filesystem_readonly and node_filesystem_device_error {device, mountpoint, fstype}.
 * A statfs that fails gives device_error 1 and no sizes; one that hangs is given up after
 * statfsTimeoutMs and that mount is skipped until the call returns, as node_exporter does.
 * Absent (no batch) when proc/1/mounts cannot be read. statfs is not a file read: `vigil capture`
 * records proc/1/mounts but not the sizes, so on a capture copy this source would measure the
 * machine reading the copy — leave it out when reading a copy.
 */
export function filesystemSource(options: FilesystemSourceOptions = {}): Source {
  const hostRoot = (options.hostRoot ?? '/').replace(/\/+$/, '');
  const stat = options.statfs ?? ((path: string) => statfs(path));
  const timeoutMs = options.statfsTimeoutMs ?? 5000;
  const stuck = new Set<string>();

  async function measure(path: string): Promise<FilesystemStats | 'error' | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const call = stat(path);
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const result = await Promise.race([call.then((stats) => stats, () => 'error' as const), timeout]);
      if (result === 'timeout') {
        stuck.add(path);
        void call.catch(() => undefined).finally(() => stuck.delete(path));
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    name: 'fs.filesystems',
    async collect({ files, problems }) {
      const text = await files.readText('proc/1/mounts', problems);
      if (text === undefined) return [];
      const samples: Sample[] = [];
      const mounts = measuredMounts(parseMounts(text, problems));
      const results = await Promise.all(
        mounts.map(async (mount) => {
          const path = `${hostRoot}${mount.mountpoint}` || '/';
          if (stuck.has(path)) return { mount, stats: 'stuck' as const };
          return { mount, stats: await measure(path) };
        }),
      );
      for (const { mount, stats } of results) {
        const labels = { device: mount.device, mountpoint: mount.mountpoint, fstype: mount.fstype };
        if (stats === 'stuck') continue;
        if (stats === 'timeout') problems.report(`statfs ${mount.mountpoint} (${mount.fstype}): no answer within ${timeoutMs} ms; skipped until it returns`);
        samples.push(sample('node_filesystem_readonly', mount.options.includes('ro') ? 1 : 0, labels));
        if (typeof stats === 'string') {
          samples.push(sample('node_filesystem_device_error', 1, labels));
          continue;
        }
        samples.push(
          sample('node_filesystem_device_error', 0, labels),
          sample('node_filesystem_size_bytes', stats.blocks * stats.bsize, labels),
          sample('node_filesystem_free_bytes', stats.bfree * stats.bsize, labels),
          sample('node_filesystem_avail_bytes', stats.bavail * stats.bsize, labels),
          sample('node_filesystem_files', stats.files, labels),
          sample('node_filesystem_files_free', stats.ffree, labels),
        );
      }
      return samples.length > 0 ? [{ source: 'fs.filesystems', samples }] : [];
    },
  };
}
