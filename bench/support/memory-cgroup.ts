/**
 * Runs bench children in a memory cgroup with a limit, as the collector runs in its DaemonSet
 * (charts/vigil: resources.limits.memory). Node sizes V8's heap from the limit of its own cgroup
 * (process.constrainedMemory()), so a process measured without one lets garbage pile up to a heap
 * sized for the whole machine. Needs root and a memory controller (cgroup v1 or v2); otherwise the
 * caller runs its children unconstrained and says so.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MemoryCgroup {
  /** An executable that joins the cgroup, then execs node with its arguments: a `fork` execPath. */
  execPath: string;
  /** e.g. "memory cgroup limited to 256 MiB (v1)". */
  description: string;
  remove(): void;
}

export function memoryCgroup(limitBytes: number): MemoryCgroup | undefined {
  const name = `vigil-bench-${process.pid}`;
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers') && readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').split(/\s+/).includes('memory');
  const directory = v2 ? join('/sys/fs/cgroup', name) : join('/sys/fs/cgroup/memory', name);
  try {
    mkdirSync(directory);
    writeFileSync(join(directory, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(limitBytes));
  } catch {
    try {
      rmdirSync(directory);
    } catch {
      // never made
    }
    return undefined;
  }
  const scripts = mkdtempSync(join(tmpdir(), 'vigil-bench-cgroup-'));
  const execPath = join(scripts, 'node-in-cgroup');
  writeFileSync(execPath, `#!/bin/sh\necho $$ > ${join(directory, 'cgroup.procs')}\nexec ${JSON.stringify(process.execPath)} "$@"\n`);
  chmodSync(execPath, 0o755);
  return {
    execPath,
    description: `in a memory cgroup limited to ${Math.round(limitBytes / 1024 / 1024)} MiB (${v2 ? 'v2' : 'v1'})`,
    remove() {
      rmSync(scripts, { recursive: true, force: true });
      try {
        rmdirSync(directory);
      } catch {
        // still busy: left for the next boot
      }
    },
  };
}
