/**
 * CPU time of one collector cycle — every default source: the node's /proc files, the process table,
 * the cgroups — on a host with 300 containers and 2,000 processes built from real fixture files
 * (bench/support/host-tree.ts), 10 % of the processes running between cycles; and the memory of
 * the process doing it. Floors (issue 4): < 50 ms CPU per cycle, < 100 MB for the collector process.
 *
 * Rerun: npx tsx bench/collector.bench.ts        (PROCESSES, CONTAINERS, CYCLES to vary)
 */
import { rmSync } from 'node:fs';
import { createCollector } from '../services/collector/collector.js';
import { createHostFiles } from '../services/collector/host-files.js';
import { defaultSources } from '../services/collector/sources/default-sources.js';
import { buildHostTree } from './support/host-tree.js';

const PROCESSES = Number(process.env.PROCESSES ?? 2000);
const CONTAINERS = Number(process.env.CONTAINERS ?? 300);
const CYCLES = Number(process.env.CYCLES ?? 30);

const tree = buildHostTree({ processes: PROCESSES, containers: CONTAINERS });
try {
  const collector = createCollector(createHostFiles({ procRoot: tree.procRoot, sysRoot: tree.sysRoot }), defaultSources({ topProcesses: 15, pageSizeBytes: 4096 }));
  const perCycle: number[] = [];
  let samples = 0;
  let batches = 0;
  let problems = 0;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    if (cycle > 0) tree.churn(cycle, 0.1);
    const before = process.cpuUsage();
    const result = await collector.collect(1_800_000_000_000 + cycle * 5_000);
    const used = process.cpuUsage(before);
    perCycle.push((used.user + used.system) / 1000);
    samples = result.batches.reduce((n, batch) => n + batch.samples.length, 0);
    batches = result.batches.length;
    problems = result.problems.length;
  }
  const steady = perCycle.slice(1).sort((a, b) => a - b);
  const mean = steady.reduce((sum, ms) => sum + ms, 0) / steady.length;
  const median = steady[steady.length >> 1]!;
  const p90 = steady[Math.floor(steady.length * 0.9)]!;
  const memory = process.memoryUsage();
  const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  console.log(`collector, every default source, ${PROCESSES} processes in ${CONTAINERS} containers (cgroup v1, systemd driver), 10 % running between cycles`);
  console.log(`  ${samples} samples in ${batches} batches per cycle; ${problems} problems`);
  console.log(`  CPU per cycle (user + system) over ${steady.length} cycles after the first (${perCycle[0]!.toFixed(0)} ms): ` +
    `mean ${mean.toFixed(1)} ms, median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms — floor < 50 ms: ${median < 50 ? 'met' : 'NOT met'}`);
  console.log(`  memory of this process: rss ${mib(memory.rss)}, heap used ${mib(memory.heapUsed)} — floor < 100 MB: ${memory.rss < 100 * 1024 * 1024 ? 'met' : 'NOT met'}`);
  console.log('Rerun: npx tsx bench/collector.bench.ts   (PROCESSES, CONTAINERS, CYCLES to vary)');
} finally {
  rmSync(tree.root, { recursive: true, force: true });
}
