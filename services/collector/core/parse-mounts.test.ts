import { describe, expect, it } from 'vitest';
import { problemList } from './problems.js';
import { measuredMounts, parseMounts } from './parse-mounts.js';

// /proc/1/mounts of the VM the diagnoser's captures were recorded on (Linux 6.18, hybrid cgroups), as read.
const recorded = `proc /proc proc rw,relatime 0 0
sysfs /sys sysfs rw,relatime 0 0
devtmpfs /dev devtmpfs rw,relatime,size=12334460k,nr_inodes=3083615,mode=755 0 0
tmpfs /dev/shm tmpfs rw,relatime,size=24684084k 0 0
devpts /dev/pts devpts rw,relatime,mode=600,ptmxmode=000 0 0
/dev/vda / ext4 rw,relatime,discard,resv_strict,resuid=65534,resgid=65534 0 0
model_tools_unavailable /mnt/sandboxing/model_tools_env/v1/python tmpfs ro,nosuid,nodev,relatime,size=4k,mode=755 0 0
devpts /dev/pts devpts rw,relatime,mode=600,ptmxmode=000 0 0
tmpfs /dev/shm tmpfs rw,relatime,size=24684084k 0 0
tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
`;

describe('parseMounts', () => {
  it('reads every line of a real mounts file, and measures only the real filesystems outside /dev, /proc, /sys', () => {
    const problems = problemList();
    const mounts = parseMounts(recorded, problems);
    expect(problems.list).toEqual([]);
    expect(mounts).toHaveLength(14);
    expect(mounts[5]).toEqual({ device: '/dev/vda', mountpoint: '/', fstype: 'ext4', options: ['rw', 'relatime', 'discard', 'resv_strict', 'resuid=65534', 'resgid=65534'] });
    expect(measuredMounts(mounts).map((mount) => `${mount.device} ${mount.mountpoint} ${mount.fstype}`)).toEqual([
      '/dev/vda / ext4',
      'model_tools_unavailable /mnt/sandboxing/model_tools_env/v1/python tmpfs',
    ]);
  });

  it('unescapes octal in paths, keeps the last mount over a mount point, skips container layers and overlay', () => {
    const text = [
      '/dev/sdb1 /mnt/backup\\040disk ext4 rw 0 0',
      '/dev/sdc1 /data xfs rw 0 0',
      '/dev/sdd1 /data xfs ro 0 0',
      'overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0',
      '/dev/sda1 /var/lib/docker/volumes/x ext4 rw 0 0',
      'shm /run/credentials/systemd-journald.service tmpfs ro 0 0',
    ].join('\n');
    const measured = measuredMounts(parseMounts(text, problemList()));
    expect(measured.map((mount) => [mount.device, mount.mountpoint, mount.options[0]])).toEqual([
      ['/dev/sdb1', '/mnt/backup disk', 'rw'],
      ['/dev/sdd1', '/data', 'ro'],
    ]);
  });

  it('reports a truncated line and keeps the rest', () => {
    const problems = problemList();
    expect(parseMounts('/dev/vda / ext4 rw 0 0\n/dev/vdb /mnt\n', problems)).toHaveLength(1);
    expect(problems.list).toEqual(['mounts: expected device, mount point, type and options, got "/dev/vdb /mnt"']);
  });
});
