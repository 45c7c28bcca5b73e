import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { problemList } from '../core/problems.js';
import { createHostFiles } from '../host-files.js';
import { filesystemSource, type FilesystemSourceOptions } from './filesystems.js';

const made: string[] = [];
afterEach(async () => {
  for (const directory of made.splice(0)) await rm(directory, { recursive: true, force: true });
});

/** A proc tree whose proc/1/mounts is `mounts`. */
async function procTree(mounts: string): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vigil-fs-'));
  made.push(root);
  await mkdir(path.join(root, 'proc/1'), { recursive: true });
  await writeFile(path.join(root, 'proc/1/mounts'), mounts);
  return path.join(root, 'proc');
}

async function collect(procRoot: string, options: FilesystemSourceOptions = {}) {
  const problems = problemList();
  const batches = await filesystemSource(options).collect({ files: createHostFiles({ procRoot, sysRoot: '/nonexistent' }), problems, nowMs: 0 });
  const samples = batches.flatMap((batch) => batch.samples);
  const value = (name: string, mountpoint: string) => samples.find((s) => s.name === name && s.labels.mountpoint === mountpoint)?.value;
  return { batches, problems: problems.list, samples, value };
}

describe('fs.filesystems', () => {
  it("reads this machine's root filesystem as df does", async () => {
    const { batches, problems, samples, value } = await collect('/proc');
    expect(problems).toEqual([]);
    expect(batches.map((batch) => batch.source)).toEqual(['fs.filesystems']);
    const root = samples.find((s) => s.name === 'node_filesystem_size_bytes' && s.labels.mountpoint === '/');
    expect(root?.labels).toMatchObject({ mountpoint: '/' });
    const [size, avail, inodes] = execFileSync('df', ['-B1', '--output=size,avail,itotal', '/'], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    expect(value('node_filesystem_size_bytes', '/')).toBe(size);
    // avail moves with every write on a busy machine: within 64 MiB of df's reading.
    expect(Math.abs(value('node_filesystem_avail_bytes', '/')! - avail!)).toBeLessThan(64 * 2 ** 20);
    expect(value('node_filesystem_files', '/')).toBe(inodes);
    expect(value('node_filesystem_free_bytes', '/')).toBeGreaterThanOrEqual(value('node_filesystem_avail_bytes', '/')!);
    expect(value('node_filesystem_device_error', '/')).toBe(0);
    expect(samples.some((s) => ['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts'].includes(s.labels.fstype ?? ''))).toBe(false);
  });

  it('a failing statfs gives device_error 1 and no sizes; a hanging one is given up and skipped until it returns', async () => {
    const procRoot = await procTree('/dev/vda / ext4 rw 0 0\nnfs:/export /mnt/nfs nfs4 ro 0 0\n/dev/vdc /mnt/gone ext4 rw 0 0\n');
    let release: (() => void) | undefined;
    let serverBack = false;
    const statfs: FilesystemSourceOptions['statfs'] = async (target) => {
      if (target.endsWith('/mnt/nfs')) {
        if (!serverBack) await new Promise<void>((resolve) => (release = resolve));
        return { bsize: 4096, blocks: 10, bfree: 5, bavail: 5, files: 10, ffree: 5 };
      }
      if (target.endsWith('/mnt/gone')) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return { bsize: 4096, blocks: 1000, bfree: 400, bavail: 300, files: 64, ffree: 60 };
    };
    const source = filesystemSource({ statfs, statfsTimeoutMs: 50 });
    const files = createHostFiles({ procRoot, sysRoot: '/nonexistent' });
    const cycle = async () => {
      const problems = problemList();
      const samples = (await source.collect({ files, problems, nowMs: 0 })).flatMap((batch) => batch.samples);
      return { problems: problems.list, lines: samples.map((s) => `${s.name}{${s.labels.mountpoint}} ${s.value}`) };
    };
    const first = await cycle();
    expect(first.lines).toContain('node_filesystem_size_bytes{/} 4096000');
    expect(first.lines).toContain('node_filesystem_avail_bytes{/} 1228800');
    expect(first.lines).toContain('node_filesystem_files_free{/} 60');
    expect(first.lines).toContain('node_filesystem_device_error{/mnt/gone} 1');
    expect(first.lines).toContain('node_filesystem_device_error{/mnt/nfs} 1');
    expect(first.lines).toContain('node_filesystem_readonly{/mnt/nfs} 1');
    expect(first.lines.filter((line) => line.includes('/mnt/gone') || line.includes('/mnt/nfs')).every((line) => /device_error|readonly/.test(line))).toBe(true);
    expect(first.problems).toEqual(['statfs /mnt/nfs (nfs4): no answer within 50 ms; skipped until it returns']);

    const second = await cycle();
    expect(second.lines.some((line) => line.includes('/mnt/nfs'))).toBe(false);
    serverBack = true;
    release!();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await cycle()).lines).toContain('node_filesystem_size_bytes{/mnt/nfs} 40960');
  });

  it('is absent where proc/1/mounts cannot be read (a capture copy)', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'vigil-fs-'));
    made.push(root);
    expect((await collect(root)).batches).toEqual([]);
  });
});
