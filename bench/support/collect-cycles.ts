/**
 * The collector alone in its own process, for bench/collector.bench.ts: the service's code path —
 * setUpCollector (every default source, pod attribution without a cluster), createCollector,
 * toMetricBatches — run CYCLES times over the host tree at argv[2]. Between cycles it asks its
 * parent (over the IPC channel of fork) to make processes "run" and waits for the answer, so the
 * churn's own CPU and garbage stay out of this process. Prints one JSON line: CPU per cycle, CPU per
 * source per cycle, and this process's memory.
 */
import { readFileSync } from 'node:fs';
import { collectorConfigSchema } from '../../services/collector/collector-config.js';
import { createCollector, toMetricBatches } from '../../services/collector/collector.js';
import { rootsUnder, setUpCollector } from '../../services/collector/collector-setup.js';
import type { Source } from '../../services/collector/source.js';

// A collector with a cluster configured loads the Kubernetes client (kube-client.ts: the tree-shaken
// bundle, or the whole package when it is not built); without a cluster it never does. The parent
// names the module, since this bundled file cannot find the bundle relative to itself.
if (process.env.BENCH_KUBERNETES_CLIENT) await import(process.env.BENCH_KUBERNETES_CLIENT);
/** This process before the collector is set up: node, the modules, nothing read yet. */
const loaded = process.memoryUsage();
const [root = '', cyclesText = '30'] = process.argv.slice(2);
const cycles = Number(cyclesText);
const config = collectorConfigSchema.parse({ VIGIL_NODE: 'bench-node', VIGIL_CLUSTER: 'bench' });
// As `vigil collect --root DIR` reads a capture: no cluster, no kernel log, no scrape targets.
const setup = await setUpCollector(config, { roots: rootsUnder(root), kubernetes: false, scrape: false, kernelLog: false });

// CPU per source, measured around each source's collect (the collector runs them one after the other).
const perSourceMs = new Map<string, number[]>();
const timed = (source: Source): Source => ({
  name: source.name,
  async collect(context) {
    const before = process.cpuUsage();
    try {
      return await source.collect(context);
    } finally {
      const used = process.cpuUsage(before);
      const list = perSourceMs.get(source.name) ?? [];
      list.push((used.user + used.system) / 1000);
      perSourceMs.set(source.name, list);
    }
  },
});
/** Asks the parent to change the host for `cycle` and waits until it has. */
const betweenCycles = (cycle: number): Promise<void> => new Promise((resolve) => {
  if (!process.send) return resolve();
  process.once('message', () => resolve());
  process.send({ cycle });
});

/** CPU time of this process's main thread so far (ms): the first field of its schedstat, in nanoseconds, all but exact. */
const mainThreadMs = (): number => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

const collector = createCollector(setup.files, setup.sources.map(timed));
const perCycleMs: number[] = [];
/** The kernel's share of perCycleMs (reads, listings, opens). */
const systemMs: number[] = [];
/** The main thread's share of perCycleMs; the rest is V8's helper threads (concurrent marking, sweeping, compilation) and libuv's. */
const mainThreadCycleMs: number[] = [];
let samples = 0;
let batches = 0;
let problems = 0;
let peakRss = 0;
for (let cycle = 0; cycle < cycles; cycle++) {
  if (cycle > 0) await betweenCycles(cycle);
  const timestampMs = 1_800_000_000_000 + cycle * 5_000;
  const mainBefore = mainThreadMs();
  const before = process.cpuUsage();
  const result = await collector.collect(timestampMs);
  const records = toMetricBatches(config.VIGIL_CLUSTER, config.VIGIL_NODE, result.batches, timestampMs);
  const used = process.cpuUsage(before);
  mainThreadCycleMs.push(mainThreadMs() - mainBefore);
  perCycleMs.push((used.user + used.system) / 1000);
  systemMs.push(used.system / 1000);
  samples = records.reduce((n, batch) => n + batch.samples.length, 0);
  batches = records.length;
  problems = result.problems.length;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const memory = process.memoryUsage();
// What stays reachable after the cycles (bench runs with --expose-gc; collected only after measuring).
(globalThis as { gc?: () => void }).gc?.();
const live = process.memoryUsage();
process.send?.({ result: {
  perCycleMs, systemMs, mainThreadCycleMs, perSourceMs: Object.fromEntries(perSourceMs), samples, batches, problems,
  rssBytes: memory.rss, peakRssBytes: peakRss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal, externalBytes: memory.external,
  loadedRssBytes: loaded.rss, loadedHeapUsedBytes: loaded.heapUsed, liveHeapUsedBytes: live.heapUsed, liveRssBytes: live.rss,
} });
await setup.close();
process.disconnect?.();
