/**
 * CPU time of one collector cycle — every default source: the node's /proc files, the process table,
 * the cgroups — on a host with 300 containers and 2,000 processes built from real fixture files
 * (bench/support/host-tree.ts), 10 % of the processes running between cycles; and the memory of
 * the collector process. The collector runs alone in a child process as compiled JavaScript (an
 * esbuild bundle of bench/support/collect-cycles.ts run by plain node, as a production image
 * would run it), so neither building the tree nor the TypeScript loader is counted.
 * Floors (issue 4): < 50 ms CPU per cycle, < 100 MB for the collector process.
 *
 * Rerun: npx tsx bench/collector.bench.ts        (PROCESSES, CONTAINERS, CYCLES to vary)
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildHostTree } from './support/host-tree.js';

const PROCESSES = Number(process.env.PROCESSES ?? 2000);
const CONTAINERS = Number(process.env.CONTAINERS ?? 300);
const CYCLES = Number(process.env.CYCLES ?? 30);

interface ChildResult { perCycleMs: number[]; samples: number; batches: number; problems: number; rssBytes: number; peakRssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number }

const tree = buildHostTree({ processes: PROCESSES, containers: CONTAINERS });
try {
  // Bundled next to the sources it imports, so its fixture paths (import.meta.url) resolve the same.
  const bundle = join(fileURLToPath(new URL('./support/', import.meta.url)), '.collect-cycles.bundle.mjs');
  await build({ entryPoints: [fileURLToPath(new URL('./support/collect-cycles.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'warning' });
  let result: ChildResult;
  try {
    result = JSON.parse(execFileSync(process.execPath, [...(process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean), bundle, tree.root, String(PROCESSES), String(CYCLES)], { encoding: 'utf8' })) as ChildResult;
  } finally {
    rmSync(bundle, { force: true });
  }
  const steady = result.perCycleMs.slice(1).sort((a, b) => a - b);
  const mean = steady.reduce((sum, ms) => sum + ms, 0) / steady.length;
  const median = steady[steady.length >> 1]!;
  const p90 = steady[Math.floor(steady.length * 0.9)]!;
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  console.log(`collector, every default source, ${PROCESSES} processes in ${CONTAINERS} containers (cgroup v1, systemd driver), 10 % running between cycles`);
  console.log(`  ${result.samples} samples in ${result.batches} batches per cycle; ${result.problems} problems`);
  console.log(`  CPU per cycle (user + system) over ${steady.length} cycles after the first (${result.perCycleMs[0]!.toFixed(0)} ms): ` +
    `mean ${mean.toFixed(1)} ms, median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms — floor < 50 ms: ${median < 50 ? 'met' : 'NOT met'}`);
  console.log(`  collector process memory: rss ${mb(result.rssBytes)} (peak ${mb(result.peakRssBytes)}), heap ${mb(result.heapUsedBytes)} used of ${mb(result.heapTotalBytes)}, external ${mb(result.externalBytes)} — ` +
    `floor < 100 MB: ${result.peakRssBytes < 100 * 1024 * 1024 ? 'met' : 'NOT met'}`);
  console.log('Rerun: npx tsx bench/collector.bench.ts   (PROCESSES, CONTAINERS, CYCLES to vary)');
} finally {
  rmSync(tree.root, { recursive: true, force: true });
}
