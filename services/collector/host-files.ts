import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
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
   * readText on the calling thread, for the files every cycle reads — the thousands of tiny
   * /proc/<pid>/* and cgroup files, and the node's own /proc files: the file stays open between cycles
   * and is read again from offset 0 (one pread instead of open + fstat + read + close through the
   * thread pool — the path walk of open is the biggest cost), until endCycle() finds it unused. Blocks
   * the event loop while it reads (microseconds per file). By host path, or through a HostFile (see file()).
   */
  readTextSync(file: string | HostFile, problems: Problems, options?: ReadOptions): string | undefined;
  /**
   * The file at a host path, to keep and read through (readTextSync, forget) cycle after cycle: a read
   * then finds its open descriptor in the object instead of looking the path up among thousands.
   */
  file(hostPath: string): HostFile;
  /** Directory entries (names only), or undefined as for readText. */
  list(hostPath: string, problems: Problems): Promise<string[] | undefined>;
  /**
   * list without the thread pool, split into files and subdirectories (no stat per entry), or
   * undefined as for readText: what a walker of cgroupfs needs to descend and to read only the files
   * that exist. Blocks the event loop while it reads.
   */
  listSync(hostPath: string, problems: Problems): DirectoryListing | undefined;
  /** Whether the path exists now (by path, never from a kept file): has a process exited? */
  exists(hostPath: string): boolean;
  /** Closes the kept file now, if it is open: what it belongs to is gone (an exited process, a removed cgroup). */
  forget(file: string | HostFile): void;
  /** Ends a cycle: closes the kept files no cycle read lately that are not held (see ReadOptions). */
  endCycle(): void;
  /** Closes every file kept open. */
  close(): void;
  /** Where a host path lives on this machine's filesystem. */
  resolve(hostPath: string): string;
}

/** One host file as HostFiles.file returns it. Another HostFiles reads it by its path (a replay's next copy). */
export interface HostFile {
  readonly hostPath: string;
}

export interface ReadOptions {
  /**
   * Keep the file open, however long no cycle reads it, until forget(hostPath): for a file read only
   * now and then of something whose end the caller sees (a process's io, read only in the cycles it
   * ran), so that each time it is read again costs one pread, not an open and a close.
   */
  held?: boolean;
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

export interface HostFilesOptions {
  /**
   * Files kept open between cycles at most (default 16384); beyond it files are opened per read. Halved
   * whenever the process runs out of descriptors (EMFILE), so a low `ulimit -n` costs speed, not reads.
   */
  maxOpenFiles?: number;
}

const silentCodes = new Set(['ENOENT', 'ESRCH', 'EOPNOTSUPP', 'ENOTSUP', 'ENODEV', 'EINVAL', 'ENOTDIR']);
/** Read errors of a kept descriptor that mean "the thing is gone": reopen by path to find out. */
const staleCodes = new Set(['ESRCH', 'ENODEV', 'ENOENT', 'EINVAL']);

/** A HostFile and, while it is kept open, its descriptor. */
interface KeptFile extends HostFile {
  /** The HostFiles that made it. */
  owner: object;
  /** -1 while not open. */
  fd: number;
  /** The last cycle that read it. */
  cycle: number;
  held: boolean;
}

/**
 * Every this many cycles all kept files are closed and opened again by path. A proc or cgroup file
 * reports its object's end as a read error, but a regular file (a capture, a fixture tree) replaced
 * by rename would otherwise be read as it was, from the old inode, for as long as it stays listed.
 */
const reopenEveryCycles = 64;

/** A kept file unread for this many cycles is closed, unless it is held (ReadOptions). */
const idleCyclesBeforeClose = 4;

export function createHostFiles(roots: HostRoots, options: HostFilesOptions = {}): HostFiles {
  let maxOpenFiles = options.maxOpenFiles ?? 16384;
  const procRoot = join(roots.procRoot, '.');
  const sysRoot = join(roots.sysRoot, '.');
  // Host paths are the collector's own, never user input: a prefix swap, no normalisation per read.
  const resolve = (hostPath: string): string => {
    if (hostPath.startsWith('proc/')) return procRoot + hostPath.slice(4);
    if (hostPath === 'proc') return procRoot;
    if (hostPath.startsWith('sys/')) return sysRoot + hostPath.slice(3);
    if (hostPath === 'sys') return sysRoot;
    throw new Error(`host path must start with proc/ or sys/: ${hostPath}`);
  };
  const failed = (hostPath: string, error: unknown, problems: Problems): undefined => {
    const code = String((error as { code?: unknown } | null)?.code ?? '');
    if (!silentCodes.has(code)) problems.report(`cannot read ${resolve(hostPath)}: ${code || (error instanceof Error ? error.message : String(error))}`);
    return undefined;
  };

  /** The files kept open, by host path. */
  const open = new Map<string, KeptFile>();
  const owner = {};
  const fileAt = (hostPath: string): KeptFile => open.get(hostPath) ?? { hostPath, owner, fd: -1, cycle: 0, held: false };
  /** This HostFiles' own KeptFile for a path or a HostFile (one made by another HostFiles is looked up by its path). */
  const keptFile = (file: string | HostFile): KeptFile =>
    typeof file === 'string' ? fileAt(file) : (file as Partial<KeptFile>).owner === owner ? file as KeptFile : fileAt(file.hostPath);
  let cycle = 0;
  let buffer = Buffer.allocUnsafe(16 * 1024);
  /** The whole file from offset 0, however many reads it takes. */
  const readAll = (fd: number): string => {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const room = buffer.length - length;
      const read = readSync(fd, buffer, length, room, length);
      length += read;
      // A read that leaves at least a page and half the room unused is the end: regular files end
      // short only at EOF, and procfs / cgroupfs (seq_file) fill the buffer unless they ran out
      // or the next record did not fit, which leaves less than one record — far less than a page —
      // unused. Saves the second read() of nearly every /proc and cgroup file.
      if (read === 0 || (room - read >= 4096 && read <= room / 2)) return buffer.toString('utf8', 0, length);
    }
  };
  const closeKept = (file: KeptFile): void => {
    if (file.fd < 0) return;
    if (open.get(file.hostPath) === file) open.delete(file.hostPath);
    try {
      closeSync(file.fd);
    } catch {
      // already gone
    }
    file.fd = -1;
  };
  const closeAll = (): void => {
    open.forEach(closeKept);
  };
  /** Reads a kept descriptor; undefined when it went stale (and was closed), so the caller reopens. */
  const readKept = (file: KeptFile): string | undefined => {
    try {
      const text = readAll(file.fd);
      file.cycle = cycle;
      return text;
    } catch (error) {
      closeKept(file);
      if (staleCodes.has(String((error as { code?: unknown }).code))) return undefined;
      throw error;
    }
  };
  const openAndRead = (file: KeptFile, held: boolean): string => {
    const path = resolve(file.hostPath);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EMFILE' || open.size === 0) throw error;
      maxOpenFiles = Math.floor(open.size / 2); // out of descriptors: keep fewer from now on
      closeAll();
      fd = openSync(path, 'r');
    }
    let kept = false;
    try {
      const text = readAll(fd);
      if (open.size < maxOpenFiles) {
        const other = open.get(file.hostPath);
        if (other) closeKept(other); // the same path opened through another HostFile: one descriptor per path
        file.fd = fd;
        file.cycle = cycle;
        file.held = held;
        open.set(file.hostPath, file);
        kept = true;
      }
      return text;
    } finally {
      if (!kept) closeSync(fd);
    }
  };

  return {
    resolve,
    readTextSync(file, problems, options) {
      const kept = keptFile(file);
      try {
        return (kept.fd >= 0 ? readKept(kept) : undefined) ?? openAndRead(kept, options?.held === true);
      } catch (error) {
        return failed(kept.hostPath, error, problems);
      }
    },
    file: fileAt,
    async readText(hostPath, problems) {
      try {
        return await readFile(resolve(hostPath), 'utf8');
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
    exists: (hostPath) => existsSync(resolve(hostPath)),
    forget(file) {
      closeKept(keptFile(file));
    },
    endCycle() {
      const reopen = (cycle + 1) % reopenEveryCycles === 0;
      // forEach, not for…of: no [key, value] array per kept file (thousands) every cycle.
      open.forEach((file) => {
        if (reopen || (!file.held && cycle - file.cycle >= idleCyclesBeforeClose)) closeKept(file);
      });
      cycle++;
    },
    close: closeAll,
  };
}
