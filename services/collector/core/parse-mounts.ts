import type { Problems } from './problems.js';

/** One line of /proc/<pid>/mounts: `device mountpoint fstype options dump pass`. */
export interface Mount {
  device: string;
  mountpoint: string;
  fstype: string;
  options: string[];
}

/**
 * node_exporter's defaults (collector/filesystem_linux.go): filesystems that hold no user data and
 * mount points under the kernel's and the container runtimes' trees.
 */
export const pseudoFilesystemTypes = /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$/;
export const ignoredMountPoints = /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

/** The kernel escapes space, tab, newline and backslash in mounts as octal (`\040`). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** /proc/1/mounts → its mounts, in order. Lines with fewer than four fields are reported and skipped. */
export function parseMounts(text: string, problems: Problems): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) {
      problems.report(`mounts: expected device, mount point, type and options, got ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    mounts.push({ device: unescape(fields[0]!), mountpoint: unescape(fields[1]!), fstype: fields[2]!, options: fields[3]!.split(',') });
  }
  return mounts;
}

/**
 * The mounts worth measuring: real filesystems, not under /dev, /proc, /sys or a runtime's layer
 * store; when one mount point is mounted over, the last mount (the visible one) counts.
 */
export function measuredMounts(mounts: readonly Mount[]): Mount[] {
  const byMountpoint = new Map<string, Mount>();
  for (const mount of mounts) {
    if (pseudoFilesystemTypes.test(mount.fstype) || ignoredMountPoints.test(mount.mountpoint)) continue;
    byMountpoint.delete(mount.mountpoint);
    byMountpoint.set(mount.mountpoint, mount);
  }
  return [...byMountpoint.values()];
}
