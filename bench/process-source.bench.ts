/**
 * CPU time of one proc.processes cycle on a host with 2,000 processes in 300 containers. The tree is
 * built from the real files of test/fixtures/procfs/proc/26231 (stat, status, io, schedstat,
 * cmdline) and an EKS container's /proc/<pid>/cgroup, with pid, rss, utime and the container varied.
 * Between cycles (not timed) a share of the processes "run": their stat, io and schedstat change,
 * as on a busy node. Budget: the whole collector < 50 ms CPU per cycle on such a host, so this
 * source well under 25 ms. Also prints the cost per process on this machine's real /proc, where
 * the kernel's work of producing each file is included (scaled to 2,000 processes).
 *
 * Rerun: npx tsx bench/process-source.bench.ts
 *        PROCESSES=5000 RUNNING_SHARE=0.3 CYCLES=20 npx tsx bench/process-source.bench.ts
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { problemList } from '../services/collector/core/problems.js';
import { createHostFiles } from '../services/collector/host-files.js';
import { processSource } from '../services/collector/sources/processes.js';
import { buildHostTree, writeRunningProcess } from './support/host-tree.js';

const PROCESSES = Number(process.env.PROCESSES ?? 2000);
const CONTAINERS = Number(process.env.CONTAINERS ?? 300);
const CYCLES = Number(process.env.CYCLES ?? 20);
/** Share of processes that use CPU between two cycles (their counters change). */
const RUNNING_SHARE = Number(process.env.RUNNING_SHARE ?? 0.1);
const TOP = 15;

/** A /proc of PROCESSES processes in CONTAINERS containers, without cgroups (this bench reads processes only). */
function buildTree(): string {
  return buildHostTree({ processes: PROCESSES, containers: CONTAINERS, cgroups: false }).procRoot;
}

interface CycleCost { first: number; median: number; userMedian: number; samples: number }

async function cpuMsPerCycle(procRoot: string, between: (cycle: number) => void): Promise<CycleCost> {
  const source = processSource({ topProcesses: TOP, pageSizeBytes: 4096 });
  const files = createHostFiles({ procRoot, sysRoot: join(procRoot, 'no-sys') });
  const perCycle: number[] = [];
  const userPerCycle: number[] = [];
  let samples = 0;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    between(cycle);
    const before = process.cpuUsage();
    const batches = await source.collect({ files, problems: problemList(), nowMs: 1_000_000 + cycle * 5000 });
    const used = process.cpuUsage(before);
    perCycle.push((used.user + used.system) / 1000);
    userPerCycle.push(used.user / 1000);
    samples = batches.reduce((n, batch) => n + batch.samples.length, 0);
  }
  const median = (values: number[]): number => values.slice(1).sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0;
  return { first: perCycle[0] ?? 0, median: median(perCycle), userMedian: median(userPerCycle), samples };
}

const root = buildTree();
try {
  const running = Math.round(PROCESSES * RUNNING_SHARE);
  const busy = await cpuMsPerCycle(root, (cycle) => {
    if (cycle === 0) return;
    for (let k = 0; k < running; k++) writeRunningProcess(root, 1000 + ((cycle * running + k) % PROCESSES), cycle);
  });
  const allRunning = await cpuMsPerCycle(root, (cycle) => {
    if (cycle === 0) return;
    for (let i = 0; i < PROCESSES; i++) writeRunningProcess(root, 1000 + i, 100 + cycle);
  });
  const live = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).length;
  const real = await cpuMsPerCycle('/proc', () => undefined);
  const files = createHostFiles({ procRoot: '/proc', sysRoot: '/sys' });
  const statBefore = process.cpuUsage();
  for (let round = 0; round < 20; round++) for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) files.readTextSync(`proc/${pid}/stat`, problemList());
  const statUsed = process.cpuUsage(statBefore);
  const statMicroseconds = (statUsed.user + statUsed.system) / (20 * live);
  const line = (cost: CycleCost): string => `${cost.median.toFixed(1)} ms (user ${cost.userMedian.toFixed(1)}, first cycle ${cost.first.toFixed(1)} ms)`;
  console.log(`proc.processes, ${PROCESSES} processes in ${CONTAINERS} containers, top ${TOP}, ${CYCLES} cycles, CPU ms per cycle (user + system):`);
  console.log(`  fixture tree, ${Math.round(RUNNING_SHARE * 100)}% of processes running between cycles: ${line(busy)}, ${busy.samples} samples`);
  console.log(`  fixture tree, every process running between cycles: ${line(allRunning)}`);
  console.log(`  this machine's /proc, ${live} processes: ${line(real)}; reading one /proc/<pid>/stat costs ${statMicroseconds.toFixed(1)} µs ` +
    `(${(statMicroseconds * PROCESSES / 1000).toFixed(1)} ms for ${PROCESSES}, the floor of any per-process reader)`);
  console.log('Rerun: npx tsx bench/process-source.bench.ts   (PROCESSES, CONTAINERS, RUNNING_SHARE, CYCLES to vary)');
} finally {
  rmSync(join(root, '..'), { recursive: true, force: true });
}
