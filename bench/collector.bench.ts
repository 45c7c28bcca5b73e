/**
 * CPU time of one collector cycle — the service's code path (setUpCollector with every default
 * source and pod attribution, createCollector, toMetricBatches) — on a host with 300 containers and
 * 2,000 processes built from real fixture files (bench/support/host-tree.ts), 10 % of the processes
 * running between cycles; and the memory of the collector process. The collector runs alone in a
 * child process as compiled JavaScript (an esbuild bundle of bench/support/collect-cycles.ts run by
 * plain node, as a production image would run it), so neither building the tree nor the TypeScript
 * loader is counted; the tree's changes between cycles are written by this process. CPU is user +
 * system time of the collector process (process.cpuUsage: every thread, GC helpers included), not
 * wall time: the machine is shared.
 * Floors (issue 4): < 50 ms CPU per cycle, < 100 MB for the collector process.
 *
 * Rerun: npx tsx bench/collector.bench.ts
 *   PROCESSES, CONTAINERS   the host (default 2000, 300)
 *   CYCLES, RUNS            cycles per child process (default 40) and child processes (default 3)
 *   NODE_FLAGS              node flags of the child, e.g. NODE_FLAGS=--cpu-prof (profiles land in the cwd)
 *   TREE=DIR                build the host tree in DIR once and reuse it in later runs (not deleted)
 *   PACE_MS                 pause between cycles (default 0), e.g. PACE_MS=5000 CYCLES=30 RUNS=1 for memory at the default interval
 *   MEMORY_LIMIT_MIB        memory cgroup limit of the children (default 256, the Helm chart's collector limit; 0: none)
 */
import { fork } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildHostTree, writeRunningProcess } from './support/host-tree.js';
import { memoryCgroup } from './support/memory-cgroup.js';
import { kubeClientBundle } from '../services/collector/kubernetes/kube-client.js';

const PROCESSES = Number(process.env.PROCESSES ?? 2000);
const CONTAINERS = Number(process.env.CONTAINERS ?? 300);
const CYCLES = Number(process.env.CYCLES ?? 40);
const RUNS = Number(process.env.RUNS ?? 3);
const TREE = process.env.TREE;
/** Pause between cycles (ms), e.g. 5000 to see memory as at the service's default interval. */
const PACE_MS = Number(process.env.PACE_MS ?? 0);
/** The collector container's memory limit in the Helm chart (charts/vigil values.yaml, collector.resources.limits.memory); 0: none. */
const MEMORY_LIMIT_MIB = Number(process.env.MEMORY_LIMIT_MIB ?? 256);

interface ChildResult {
  perCycleMs: number[]; systemMs: number[]; mainThreadCycleMs: number[]; perSourceMs: Record<string, number[]>; samples: number; batches: number; problems: number;
  rssBytes: number; peakRssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number;
  loadedRssBytes: number; loadedHeapUsedBytes: number; liveHeapUsedBytes: number; liveRssBytes: number;
}

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
};
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const root = TREE && existsSync(join(TREE, 'proc')) ? TREE : buildHostTree({ processes: PROCESSES, containers: CONTAINERS, root: TREE }).root;

/** One child: CYCLES cycles; between two, 10 % of the processes "run" (their stat, io and schedstat change), written here. */
function runChild(bundle: string, flags: string[], execPath: string, env: NodeJS.ProcessEnv = process.env): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // --expose-gc only lets the child measure what stays reachable after its last cycle.
    const child = fork(bundle, [root, String(CYCLES)], { execPath, execArgv: ['--expose-gc', ...flags], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ChildResult | undefined;
    child.on('message', (message: { cycle?: number; result?: ChildResult }) => {
      if (message.result) result = message.result;
      if (message.cycle === undefined) return;
      const running = Math.round(PROCESSES * 0.1);
      for (let k = 0; k < running; k++) writeRunningProcess(join(root, 'proc'), 1000 + ((message.cycle * running + k) % PROCESSES), message.cycle);
      setTimeout(() => child.send('go'), PACE_MS);
    });
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`collector child exited with ${code}`))));
  });
}
try {
  // Bundled next to the sources it imports, so its fixture paths (import.meta.url) resolve the same.
  // Bundled below bench/support, so the external packages resolve from this repository's node_modules. Split, so
  // what the collector imports on demand (the pod directory and @kubernetes/client-node, only with a cluster)
  // stays out of the process as it does under tsx.
  const outdir = join(fileURLToPath(new URL('./support/', import.meta.url)), `.collect-cycles.${process.pid}`);
  const entry = fileURLToPath(new URL('./support/collect-cycles.ts', import.meta.url));
  await build({ entryPoints: [entry], bundle: true, splitting: true, platform: 'node', format: 'esm', packages: 'external', outdir, outExtension: { '.js': '.mjs' }, logLevel: 'warning' });
  const bundle = join(outdir, 'collect-cycles.mjs');
  // What kube-client.ts loads: the tree-shaken bundle when `npm run build:kube-client` built it.
  const kubeClientModule = existsSync(kubeClientBundle) ? kubeClientBundle : '@kubernetes/client-node';
  const limited = MEMORY_LIMIT_MIB > 0 ? memoryCgroup(MEMORY_LIMIT_MIB * 1024 * 1024) : undefined;
  const execPath = limited?.execPath ?? process.execPath;
  const flags = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const results: ChildResult[] = [];
  let withClient: ChildResult;
  try {
    for (let run = 0; run < RUNS; run++) results.push(await runChild(bundle, flags, execPath));
    withClient = await runChild(bundle, flags, execPath, { ...process.env, BENCH_KUBERNETES_CLIENT: kubeClientModule });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    limited?.remove();
  }
  // Steady state: the first cycles open every file and warm up the JIT; the rest are what a node pays every interval.
  const warmup = Math.min(5, CYCLES - 1);
  const steady = results.flatMap((result) => result.perCycleMs.slice(warmup));
  const median = quantile(steady, 0.5);
  const last = results[results.length - 1]!;
  console.log(`collector (service code path), ${PROCESSES} processes in ${CONTAINERS} containers (cgroup v1, systemd driver), 10 % running between cycles`);
  console.log(`  run ${limited ? limited.description : 'without a memory limit (needs root and a memory controller; MEMORY_LIMIT_MIB=0 chose none)'}, as bundled JavaScript`);
  console.log(`  ${last.samples} samples in ${last.batches} batches per cycle; ${last.problems} problems`);
  console.log(`  CPU per cycle (user + system), ${RUNS} processes × ${CYCLES - warmup} cycles after ${warmup} warm-up cycles (first cycle ${quantile(results.map((r) => r.perCycleMs[0]!), 0.5).toFixed(0)} ms):`);
  console.log(`    median ${median.toFixed(1)} ms, p90 ${quantile(steady, 0.9).toFixed(1)} ms; medians per process ${results.map((r) => quantile(r.perCycleMs.slice(warmup), 0.5).toFixed(1)).join(', ')} — floor < 50 ms: ${median < 50 ? 'met' : 'NOT met'}`);
  console.log(`    of which in the kernel (system time: reads, listings, opens): median ${quantile(results.flatMap((r) => r.systemMs.slice(warmup)), 0.5).toFixed(1)} ms; ` +
    `on the main thread ${quantile(results.flatMap((r) => r.mainThreadCycleMs.slice(warmup)), 0.5).toFixed(1)} ms (the rest: V8's helper threads, concurrent GC marking and sweeping, compilation)`);
  const sources = Object.keys(last.perSourceMs);
  const bySource = sources.map((name) => [name, quantile(results.flatMap((r) => r.perSourceMs[name]!.slice(warmup)), 0.5)] as const);
  const big = bySource.filter(([, ms]) => ms >= 0.5);
  const small = bySource.filter(([, ms]) => ms < 0.5).reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`    median by source: ${big.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ')}, the other ${bySource.length - big.length} together ${small.toFixed(1)} ms (the rest: garbage collection between sources, toMetricBatches)`);
  const peak = Math.max(...results.map((r) => r.peakRssBytes));
  console.log(`  collector process memory: rss at the end ${results.map((r) => mb(r.rssBytes)).join(', ')} (peak ${mb(peak)}), heap ${mb(last.heapUsedBytes)} used of ${mb(last.heapTotalBytes)}, external ${mb(last.externalBytes)} — ` +
    `floor < 100 MB: ${peak < 100 * 1024 * 1024 ? 'met' : 'NOT met'}`);
  console.log(`    before the first cycle (node + modules; no cluster, so no @kubernetes/client-node): rss ${mb(last.loadedRssBytes)}, heap ${mb(last.loadedHeapUsedBytes)}; ` +
    `reachable after the last cycle (full GC): heap ${mb(last.liveHeapUsedBytes)} — the rest of the heap was garbage not yet collected`);
  console.log(`  the same with the Kubernetes client loaded (${kubeClientModule === kubeClientBundle ? 'the tree-shaken bundle' : 'the whole package'}, what a collector with a cluster configured loads): rss at the end ${mb(withClient.rssBytes)} (peak ${mb(withClient.peakRssBytes)}), ` +
    `${mb(withClient.loadedRssBytes)} before the first cycle, heap reachable after the last ${mb(withClient.liveHeapUsedBytes)}; CPU median ${quantile(withClient.perCycleMs.slice(warmup), 0.5).toFixed(1)} ms`);
  console.log('Rerun: npx tsx bench/collector.bench.ts   (PROCESSES, CONTAINERS, CYCLES, RUNS, NODE_FLAGS, TREE=DIR to vary; see the header)');
} finally {
  if (!TREE) rmSync(root, { recursive: true, force: true });
}
