import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createCollector, type CycleResult } from '../collector.js';
import type { HostFiles } from '../host-files.js';
import type { Source } from '../source.js';
import { emptyReadRecord, recordingHostFiles, type ReadRecord } from './recording-host-files.js';

/** What `vigil capture` writes to DIR/meta.json. */
export interface CaptureMeta {
  host: string;
  kernel: string;
  cgroupVersion: 'v1' | 'v2' | 'hybrid' | 'none';
  vigilVersion: string;
  /** When each copy was read, milliseconds since the epoch: copies[0] is DIR/0, copies[1] is DIR/1. */
  copies: { directory: string; timestampMs: number; files: number }[];
  intervalSeconds: number;
  /** What could not be captured (no kernel log access, no cluster), in words. */
  missing: string[];
}

/** A cluster's objects as the API returned them, for DIR/k8s/{pods,events,nodes}.json. */
export interface ClusterObjects {
  pods: unknown;
  events: unknown;
  nodes: unknown;
}

export interface CaptureOptions {
  out: string;
  intervalSeconds: number;
  /** The live host. */
  files: HostFiles;
  /** The collector's sources; run once per copy, so the copies hold exactly what a cycle reads. */
  sources: Source[];
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  host: string;
  kernel: string;
  vigilVersion: string;
  /** The kernel log as dmesg text, or a reason it is not available. */
  kernelLog: () => Promise<string | { missing: string }>;
  /** The cluster's objects around this node, or a reason they are not available. */
  kubernetes: () => Promise<ClusterObjects | { missing: string }>;
}

export interface CaptureResult {
  meta: CaptureMeta;
  /** The cycles run while copying (what `--root DIR/0` and `--root DIR/1` must reproduce). */
  cycles: CycleResult[];
}

/**
 * A support bundle of one node: DIR/0 and DIR/1, verbatim copies taken intervalSeconds apart of every
 * /proc and /sys file the collector read (same relative paths, so `--root DIR/0` collects from it
 * exactly as from the live machine), DIR/dmesg.txt, DIR/k8s/*.json when a cluster is reachable, and
 * DIR/meta.json.
 */
export async function capture(options: CaptureOptions): Promise<CaptureResult> {
  const copies: CaptureMeta['copies'] = [];
  const cycles: CycleResult[] = [];
  const missing: string[] = [];
  for (const directory of ['0', '1']) {
    if (directory === '1') await options.sleep(options.intervalSeconds * 1000);
    const record = emptyReadRecord();
    const timestampMs = options.clock();
    cycles.push(await createCollector(recordingHostFiles(options.files, record), options.sources).collect(timestampMs));
    await writeRecord(join(options.out, directory), record);
    copies.push({ directory, timestampMs, files: record.files.size });
  }

  const kernelLog = await options.kernelLog();
  if (typeof kernelLog === 'string') await writeFile(join(options.out, 'dmesg.txt'), kernelLog);
  else missing.push(`dmesg.txt: ${kernelLog.missing}`);

  const cluster = await options.kubernetes();
  if ('missing' in cluster) missing.push(`k8s/: ${cluster.missing}`);
  else {
    await mkdir(join(options.out, 'k8s'), { recursive: true });
    for (const kind of ['pods', 'events', 'nodes'] as const) {
      await writeFile(join(options.out, 'k8s', `${kind}.json`), `${JSON.stringify(cluster[kind], null, 2)}\n`);
    }
  }

  const meta: CaptureMeta = {
    host: options.host,
    kernel: options.kernel,
    cgroupVersion: await cgroupVersion(options.files),
    vigilVersion: options.vigilVersion,
    copies,
    intervalSeconds: options.intervalSeconds,
    missing,
  };
  await writeFile(join(options.out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return { meta, cycles };
}

async function writeRecord(root: string, record: ReadRecord): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const directory of record.directories) await mkdir(join(root, directory), { recursive: true });
  for (const [hostPath, content] of record.files) {
    const path = join(root, hostPath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

/** v2 when the root of sys/fs/cgroup is the unified hierarchy, hybrid when it sits at unified/, else v1 (or none). */
async function cgroupVersion(files: HostFiles): Promise<CaptureMeta['cgroupVersion']> {
  const exists = (hostPath: string): Promise<boolean> => access(files.resolve(hostPath)).then(() => true, () => false);
  if (await exists('sys/fs/cgroup/cgroup.controllers')) return 'v2';
  const v1 = await exists('sys/fs/cgroup/memory') || await exists('sys/fs/cgroup/cpu');
  if (v1 && await exists('sys/fs/cgroup/unified/cgroup.controllers')) return 'hybrid';
  return v1 ? 'v1' : 'none';
}
