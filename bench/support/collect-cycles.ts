/**
 * The collector alone in its own process, for bench/collector.bench.ts: runs CYCLES cycles of every
 * default source over the host tree at argv[2] (10 % of processes churned between cycles by the
 * parent's tree layout) and prints one JSON line: CPU per cycle and this process's memory.
 */
import { createCollector } from '../../services/collector/collector.js';
import { createHostFiles } from '../../services/collector/host-files.js';
import { defaultSources } from '../../services/collector/sources/default-sources.js';
import { writeRunningProcess } from './host-tree.js';

const [root = '', processesText = '2000', cyclesText = '30'] = process.argv.slice(2);
const processes = Number(processesText);
const cycles = Number(cyclesText);
const procRoot = `${root}/proc`;
const collector = createCollector(createHostFiles({ procRoot, sysRoot: `${root}/sys` }), defaultSources({ topProcesses: 15, pageSizeBytes: 4096 }));
const perCycleMs: number[] = [];
let samples = 0;
let batches = 0;
let problems = 0;
let peakRss = 0;
for (let cycle = 0; cycle < cycles; cycle++) {
  if (cycle > 0) {
    const running = Math.round(processes * 0.1);
    for (let k = 0; k < running; k++) writeRunningProcess(procRoot, 1000 + ((cycle * running + k) % processes), cycle);
  }
  const before = process.cpuUsage();
  const result = await collector.collect(1_800_000_000_000 + cycle * 5_000);
  const used = process.cpuUsage(before);
  perCycleMs.push((used.user + used.system) / 1000);
  samples = result.batches.reduce((n, batch) => n + batch.samples.length, 0);
  batches = result.batches.length;
  problems = result.problems.length;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const memory = process.memoryUsage();
process.stdout.write(`${JSON.stringify({ perCycleMs, samples, batches, problems, rssBytes: memory.rss, peakRssBytes: peakRss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal, externalBytes: memory.external })}\n`);
