import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problems } from './core/problems.js';

/**
 * The host's files as the collector sees them, by host path: `proc/meminfo`,
 * `sys/fs/cgroup/memory/memory.stat`. Paths under `proc/` resolve against procRoot and paths
 * under `sys/` against sysRoot, so a container reads the host through /host/proc, and a capture
 * (`vigil capture`) or a fixture tree is read exactly like a live machine.
 *
 * Reads never throw. A file that is absent (ENOENT), belongs to a process that exited (ESRCH),
 * or is not supported by this kernel (EOPNOTSUPP, ENODEV, EINVAL) returns undefined silently — absence is
 * information, not an error. Anything else (EACCES, EIO, …) returns undefined and is reported to
 * the caller's Problems with the path.
 */
export interface HostFiles {
  readText(hostPath: string, problems: Problems): Promise<string | undefined>;
  /**
   * readText without the thread pool: open, read, close on the calling thread. Several times cheaper
   * in CPU for the many tiny /proc/<pid>/* files of one cycle; blocks the event loop while it reads.
   */
  readTextSync(hostPath: string, problems: Problems): string | undefined;
  /** Directory entries (names only), or undefined as for readText. */
  list(hostPath: string, problems: Problems): Promise<string[] | undefined>;
  /**
   * list without the thread pool, split into files and subdirectories (no stat per entry), or
   * undefined as for readText: what a walker of cgroupfs needs to descend and to read only the files
   * that exist. Blocks the event loop while it reads.
   */
  listSync(hostPath: string, problems: Problems): DirectoryListing | undefined;
  /** Target of a symbolic link (e.g. proc/<pid>/exe), or undefined as for readText. */
  readLink(hostPath: string, problems: Problems): Promise<string | undefined>;
  /** Where a host path lives on this machine's filesystem. */
  resolve(hostPath: string): string;
}

/** A directory's entries by kind (symbolic links and other special files count as files). */
export interface DirectoryListing {
  files: string[];
  directories: string[];
}

export interface HostRoots {
  /** Root of the proc filesystem: /proc, /host/proc, or <capture>/proc. */
  procRoot: string;
  /** Root of sysfs: /sys, /host/sys, or <capture>/sys. */
  sysRoot: string;
}

/** Called with every file read successfully, so `vigil capture` can keep verbatim copies. */
export type ReadObserver = (hostPath: string, content: string) => void;

const silentCodes = new Set(['ENOENT', 'ESRCH', 'EOPNOTSUPP', 'ENOTSUP', 'ENODEV', 'EINVAL', 'ENOTDIR']);

export function createHostFiles(roots: HostRoots, observe?: ReadObserver): HostFiles {
  const resolve = (hostPath: string): string => {
    const [top, ...rest] = hostPath.split('/');
    if (top === 'proc') return join(roots.procRoot, ...rest);
    if (top === 'sys') return join(roots.sysRoot, ...rest);
    throw new Error(`host path must start with proc/ or sys/: ${hostPath}`);
  };
  const failed = (hostPath: string, error: unknown, problems: Problems): undefined => {
    const code = String((error as { code?: unknown } | null)?.code ?? '');
    if (!silentCodes.has(code)) problems.report(`cannot read ${resolve(hostPath)}: ${code || (error instanceof Error ? error.message : String(error))}`);
    return undefined;
  };
  let buffer = Buffer.allocUnsafe(16 * 1024);
  const readWhole = (path: string): string => {
    const fd = openSync(path, 'r');
    try {
      let length = 0;
      for (;;) {
        if (length === buffer.length) {
          const larger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(larger, 0, 0, length);
          buffer = larger;
        }
        const room = buffer.length - length;
        const read = readSync(fd, buffer, length, room, null);
        length += read;
        // A read that leaves at least a page and half the room unused is the end: regular files end
        // short only at EOF, and procfs / cgroupfs (seq_file) fill the buffer unless they ran out
        // or the next record did not fit, which leaves less than one record — far less than a page —
        // unused. Saves the second read() of nearly every /proc and cgroup file.
        if (read === 0 || (room - read >= 4096 && read <= room / 2)) return buffer.toString('utf8', 0, length);
      }
    } finally {
      closeSync(fd);
    }
  };
  return {
    resolve,
    readTextSync(hostPath, problems) {
      try {
        const text = readWhole(resolve(hostPath));
        observe?.(hostPath, text);
        return text;
      } catch (error) {
        return failed(hostPath, error, problems);
      }
    },
    async readText(hostPath, problems) {
      try {
        const text = await readFile(resolve(hostPath), 'utf8');
        observe?.(hostPath, text);
        return text;
      } catch (error) {
        return failed(hostPath, error, problems);
      }
    },
    listSync(hostPath, problems) {
      try {
        const listing: DirectoryListing = { files: [], directories: [] };
        for (const entry of readdirSync(resolve(hostPath), { withFileTypes: true })) {
          (entry.isDirectory() ? listing.directories : listing.files).push(entry.name);
        }
        return listing;
      } catch (error) {
        return failed(hostPath, error, problems);
      }
    },
    async list(hostPath, problems) {
      try {
        return await readdir(resolve(hostPath));
      } catch (error) {
        return failed(hostPath, error, problems);
      }
    },
    async readLink(hostPath, problems) {
      try {
        return await readlink(resolve(hostPath));
      } catch (error) {
        return failed(hostPath, error, problems);
      }
    },
  };
}
