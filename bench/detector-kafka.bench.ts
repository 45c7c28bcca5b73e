/**
 * One detector instance through Kafka, as deployed: `vigil run detector` in its own process, fed
 * metrics.raw batches of 200 node-exporter-like samples from N nodes by a producer in this process.
 * Every batch is stamped with the wall-clock time it is produced (its timestampMs, as a collector
 * stamps a scrape), and every node's MemAvailable dips for a few scrapes at regular intervals, so
 * anomalies keep coming and each one says, in observedAtMs, when the record that caused it was
 * produced.
 *
 *  (a) throughput: produce as fast as the detector consumes (at most WINDOW_PER_PARTITION records
 *      ahead on any partition, because the librdkafka mock keeps only ~5 MB per partition) and
 *      count samples/s handled. Floor ≥ 100k samples/s.
 *  (b) latency: offer a steady 50k samples/s and measure, for every anomaly event, the time from
 *      its raw record produced to the anomaly consumed from the anomalies topic by a downstream
 *      subscriber. Floor: p99 < 1 s.
 *
 * Rerun: npx tsx bench/detector-kafka.bench.ts
 *        BENCH_BUS=rdkafka npx tsx bench/detector-kafka.bench.ts       (the detector on node-rdkafka; default: kafka,rdkafka)
 *        BENCH_NODES=64 BENCH_SECONDS=20 npx tsx bench/detector-kafka.bench.ts
 *        BENCH_PROFILE=1 npx tsx bench/detector-kafka.bench.ts         (node --cpu-prof of the detector process, into .vigil/profiles)
 *        KAFKA_BROKERS=host:9092 npx tsx bench/detector-kafka.bench.ts (a real cluster)
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus, OutgoingRecord } from '../src/bus/bus.js';
import { createBus, type BusKind } from '../src/bus/create-bus.js';
import { partitionForKey } from '../src/bus/murmur2.js';
import { codecFor } from '../src/codec/codecs.js';
import type { MetricBatch, Sample } from '../src/codec/records.generated.js';
import { startMockKafka, type MockKafka } from '../test/support/kafka-broker-mock.js';
import { repoRoot, spawnVigil, type VigilProcess } from '../test/support/vigil-process.js';

const SAMPLES_PER_BATCH = 200;
const PARTITIONS = 4;
const NODES = Number(process.env.BENCH_NODES ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OFFERED_SAMPLES_PER_SECOND = 50_000;
/** Records produced but not yet consumed, at most, per partition: ~6 KB each, well under the mock's ~5 MB. */
const WINDOW_PER_PARTITION = 300;
/** Scrapes per node before measuring: full baseline windows (30 points) everywhere. */
const WARM_UP_SCRAPES = 40;
/** Every node's MemAvailable drops 3 GiB for DIP_SCRAPES of every DIP_CYCLE scrapes. */
const DIP_CYCLE = 30;
const DIP_SCRAPES = 4;
const GiB = 1024 ** 3;

const codec = codecFor('metrics.raw');
const memoryGauges = ['MemFree', 'Buffers', 'Cached', 'SwapCached', 'Active', 'Inactive', 'Active_anon', 'Inactive_anon', 'Active_file',
  'Inactive_file', 'Unevictable', 'Mlocked', 'SwapTotal', 'SwapFree', 'Dirty', 'Writeback', 'AnonPages', 'Mapped', 'Shmem', 'KReclaimable',
  'Slab', 'SReclaimable', 'SUnreclaim', 'KernelStack', 'PageTables', 'CommitLimit', 'Committed_AS', 'VmallocTotal', 'VmallocUsed',
  'AnonHugePages', 'ShmemHugePages', 'HugePages_Total', 'HugePages_Free', 'Hugepagesize', 'DirectMap4k', 'DirectMap2M'];
const cpuModes = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
const vmstatCounters = ['pgfault', 'pgmajfault', 'pgpgin', 'pgpgout', 'pswpin', 'pswpout', 'pgscan_kswapd', 'pgscan_direct', 'pgsteal_kswapd',
  'pgsteal_direct', 'oom_kill', 'allocstall_normal', 'workingset_refault_anon', 'workingset_refault_file', 'compact_stall', 'nr_dirty', 'nr_writeback'];

/** Nodes whose keys fall evenly on the partitions, so the window bounds every partition alike. */
function evenlyPartitionedNodes(count: number): string[] {
  const perPartition = new Array<number>(PARTITIONS).fill(0);
  const nodes: string[] = [];
  for (let i = 0; nodes.length < count; i++) {
    const node = `worker-${i}`;
    const partition = partitionForKey(Buffer.from(`bench/${node}`), PARTITIONS);
    if (perPartition[partition]! < Math.ceil(count / PARTITIONS)) {
      perPartition[partition]!++;
      nodes.push(node);
    }
  }
  return nodes;
}

/**
 * One node_exporter-like scrape of 200 node-level samples: meminfo gauges, per-CPU mode counters,
 * load, vmstat counters. Counters grow with the scrape time, so their rates are steady.
 */
function scrape(node: string, nodeIndex: number, scrapeIndex: number, timestampMs: number): MetricBatch {
  const seconds = timestampMs / 1000;
  const jitter = ((scrapeIndex * 7919 + nodeIndex * 104_729) % 11) * 1024 * 1024;
  const inDip = scrapeIndex >= WARM_UP_SCRAPES && (scrapeIndex + nodeIndex * 7) % DIP_CYCLE < DIP_SCRAPES;
  const samples: Sample[] = [
    { name: 'node_memory_MemTotal_bytes', labels: {}, value: 64 * GiB },
    { name: 'node_memory_MemAvailable_bytes', labels: {}, value: 40 * GiB - (inDip ? 3 * GiB : 0) + jitter },
  ];
  for (const [i, name] of memoryGauges.entries()) samples.push({ name: `node_memory_${name}_bytes`, labels: {}, value: (i + 1) * 256 * 1024 * 1024 + jitter });
  for (const [name, value] of [['node_load1', 2.5], ['node_load5', 2.4], ['node_load15', 2.3], ['node_procs_running', 3], ['node_procs_blocked', 0]] as const) {
    samples.push({ name, labels: {}, value: value + (scrapeIndex % 3) * 0.01 });
  }
  for (const [i, name] of vmstatCounters.entries()) samples.push({ name: `node_vmstat_${name}`, labels: {}, value: 1e6 + (i + 1) * 10 * seconds });
  for (let cpu = 0; samples.length < SAMPLES_PER_BATCH; cpu++) {
    for (const [i, mode] of cpuModes.entries()) {
      if (samples.length >= SAMPLES_PER_BATCH) break;
      samples.push({ name: 'node_cpu_seconds_total', labels: { cpu: String(cpu), mode }, value: 1e5 + (i + 1) * 0.1 * seconds });
    }
  }
  return { id: `${node}-${scrapeIndex}`.padEnd(32, '0'), cluster: 'bench', node, source: 'node_exporter', timestampMs, samples };
}

/** Produces scrapes round-robin over the nodes, each stamped with the time it is produced. */
class ScrapeProducer {
  readonly producedPerPartition = new Array<number>(PARTITIONS).fill(0);
  produced = 0;
  private readonly scrapes: number[];
  private readonly lastTimestampMs: number[];
  private readonly partitionOf: number[];
  private next = 0;

  constructor(private readonly bus: Bus, private readonly topic: string, private readonly nodes: string[]) {
    this.scrapes = nodes.map(() => 0);
    this.lastTimestampMs = nodes.map(() => 0);
    this.partitionOf = nodes.map((node) => partitionForKey(Buffer.from(`bench/${node}`), PARTITIONS));
  }

  /** The partition the next record goes to. */
  nextPartition(): number {
    return this.partitionOf[this.next % this.nodes.length]!;
  }

  produce(count: number): Promise<void> {
    const records: OutgoingRecord[] = [];
    for (let i = 0; i < count; i++) {
      const index = this.next++ % this.nodes.length;
      const node = this.nodes[index]!;
      const timestampMs = Math.max(Date.now(), this.lastTimestampMs[index]! + 1);
      this.lastTimestampMs[index] = timestampMs;
      records.push({ key: `bench/${node}`, value: codec.encode(scrape(node, index, this.scrapes[index]!++, timestampMs)) });
      this.producedPerPartition[this.partitionOf[index]!]!++;
    }
    this.produced += count;
    return this.bus.produce(this.topic, records);
  }
}

/** Records of `topic` the detector process has taken in, from its /metrics. */
async function consumedBy(port: number, topic: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('vigil_records_in_total{') && line.includes(`topic="${topic}"`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Result {
  kind: BusKind;
  samplesPerSecond: number;
  throughputNote: string;
  latencyMs: { p50: number; p99: number; max: number; events: number };
  /** One metrics.raw hop alone (produced → consumed by a plain subscriber), for comparison. */
  busHopMs: { p50: number; p99: number };
  offeredSamplesPerSecond: number;
}

async function run(kind: BusKind, brokers: string[]): Promise<Result> {
  const runId = randomUUID().slice(0, 8);
  const prefix = `bench-${runId}.`;
  const topic = `${prefix}metrics.raw`;
  const nodes = evenlyPartitionedNodes(NODES);
  const bus = createBus({ kind: 'rdkafka', brokers, clientId: `bench-producer-${runId}` });
  await bus.connect();
  const producer = new ScrapeProducer(bus, topic, nodes);
  // The first scrape of every node creates the topic before the detector subscribes.
  await producer.produce(nodes.length);

  const latencies: number[] = [];
  let measuringFromMs = Number.POSITIVE_INFINITY;
  const anomalies = codecFor('anomalies');
  const downstream = await bus.subscribe({
    topic: `${prefix}anomalies`, group: `bench-downstream-${runId}`,
    handler: async (record) => {
      const anomaly = anomalies.decode(record.value!);
      if (anomaly.observedAtMs >= measuringFromMs) latencies.push(Date.now() - anomaly.observedAtMs);
    },
  });

  // The same hop without the detector: metrics.raw produced → consumed by a plain subscriber.
  const rawLatencies: number[] = [];
  const rawObserver = await bus.subscribe({
    topic, group: `bench-raw-${runId}`,
    handler: async (record) => { if (record.timestampMs >= measuringFromMs) rawLatencies.push(Date.now() - record.timestampMs); },
  });

  const port = await freePort();
  const profileDir = `${repoRoot}.vigil/profiles`;
  if (process.env.BENCH_PROFILE) mkdirSync(profileDir, { recursive: true });
  const detector: VigilProcess = spawnVigil(['run', 'detector'], {
    VIGIL_BUS: kind, KAFKA_BROKERS: brokers.join(','), VIGIL_TOPIC_PREFIX: prefix, VIGIL_DETECTOR_GROUP: `bench-detector-${runId}`,
    VIGIL_HTTP_PORT: String(port), VIGIL_LOG_LEVEL: 'warn',
  }, { nodeArgs: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
  const exited = detector.exited().then((code) => { throw new Error(`the detector exited (${code}): ${detector.stderr.slice(-5).join('\n')}`); });
  exited.catch(() => undefined);
  const consumed = (): Promise<number> => Promise.race([consumedBy(port, topic), exited]).catch(async (error: unknown) => {
    if (String(error).includes('the detector exited')) throw error;
    return 0;
  });
  const waitConsumed = async (target: number, what: string): Promise<void> => {
    const deadline = Date.now() + 120_000;
    while ((await consumed()) < target) {
      if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what} (consumed ${await consumed()} of ${producer.produced}); the detector's last lines:\n${detector.stderr.slice(-5).join('\n')}`);
      await sleep(50);
    }
  };
  try {
    await waitConsumed(nodes.length, 'the detector to join and take the first scrapes');

    // Warm-up, then (a): as fast as the detector takes it, within the window.
    let consumedNow = await consumed();
    let polledAt = 0;
    const window = WINDOW_PER_PARTITION * PARTITIONS;
    const fill = async (until: () => boolean): Promise<void> => {
      const inFlight = new Set<Promise<void>>();
      while (!until()) {
        if (performance.now() - polledAt > 50) {
          consumedNow = await consumed();
          polledAt = performance.now();
        }
        if (producer.produced - consumedNow >= window - 50) {
          await sleep(5);
          continue;
        }
        const sent = producer.produce(50);
        inFlight.add(sent);
        void sent.finally(() => inFlight.delete(sent));
        if (inFlight.size >= 8) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    };
    await fill(() => producer.produced >= nodes.length * WARM_UP_SCRAPES);
    await waitConsumed(producer.produced, 'the warm-up to be consumed');
    const startCount = await consumed();
    const started = performance.now();
    await fill(() => performance.now() - started >= SECONDS * 1000);
    const endCount = await consumed();
    const seconds = (performance.now() - started) / 1000;
    const samplesPerSecond = ((endCount - startCount) * SAMPLES_PER_BATCH) / seconds;
    await waitConsumed(producer.produced, 'the detector to catch up');

    // (b): a steady offered load, in small chunks every few milliseconds.
    const batchesPerSecond = OFFERED_SAMPLES_PER_SECOND / SAMPLES_PER_BATCH;
    const tickMs = 10;
    measuringFromMs = Date.now();
    const paceStarted = performance.now();
    let offered = 0;
    while (performance.now() - paceStarted < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - paceStarted) / 1000) * batchesPerSecond) - offered;
      if (due > 0) {
        void producer.produce(due);
        offered += due;
      }
      await sleep(tickMs);
    }
    const offeredSamplesPerSecond = (offered * SAMPLES_PER_BATCH) / ((performance.now() - paceStarted) / 1000);
    await waitConsumed(producer.produced, 'the paced load to be consumed');
    await sleep(1500);
    const sorted = latencies.slice().sort((a, b) => a - b);
    const rawSorted = rawLatencies.slice().sort((a, b) => a - b);
    return {
      busHopMs: { p50: percentile(rawSorted, 50), p99: percentile(rawSorted, 99) },
      kind, samplesPerSecond, offeredSamplesPerSecond,
      throughputNote: `${endCount - startCount} batches in ${seconds.toFixed(1)} s`,
      latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN, events: sorted.length },
    };
  } finally {
    detector.kill('SIGTERM');
    await detector.exited().catch(() => undefined);
    await downstream.close();
    await rawObserver.close();
    await bus.close();
  }
}

function formatRate(perSecond: number): string {
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M` : perSecond >= 1e3 ? `${(perSecond / 1e3).toFixed(1)}k` : perSecond.toFixed(0);
}

async function main(): Promise<void> {
  const configured = process.env.KAFKA_BROKERS?.trim();
  let mock: MockKafka | undefined;
  if (!configured) mock = await startMockKafka();
  const brokers = (configured ?? mock!.brokers).split(',');
  const kinds = (process.env.BENCH_BUS ?? 'kafka,rdkafka').split(',').map((kind) => kind.trim()) as BusKind[];
  console.log(`one detector process (vigil run detector); ${NODES} nodes, metrics.raw batches of ${SAMPLES_PER_BATCH} node-level samples; ` +
    `a ${DIP_SCRAPES}-scrape MemAvailable dip every ${DIP_CYCLE} scrapes per node; ${SECONDS} s per measurement; ` +
    `Kafka: ${configured ?? `librdkafka mock cluster in this process (${mock!.brokers})`}\n`);
  const results: Result[] = [];
  try {
    for (const kind of kinds) {
      const result = await run(kind, brokers);
      results.push(result);
      console.log(`  detector on the ${kind} bus: ${formatRate(result.samplesPerSecond)} samples/s (${result.throughputNote}); ` +
        `at ${formatRate(result.offeredSamplesPerSecond)} samples/s offered, raw record → anomaly consumed p50 ${result.latencyMs.p50} ms, ` +
        `p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms over ${result.latencyMs.events} anomaly events ` +
        `(one metrics.raw hop alone: p50 ${result.busHopMs.p50} ms, p99 ${result.busHopMs.p99} ms)`);
    }
  } finally {
    await mock?.stop();
  }

  const rows = results.map((result) => [
    `detector, ${result.kind} bus`, formatRate(result.samplesPerSecond), formatRate(result.samplesPerSecond / SAMPLES_PER_BATCH),
    String(result.latencyMs.p50), String(result.latencyMs.p99), String(result.latencyMs.max), String(result.latencyMs.events),
  ]);
  const header = ['', 'max samples/s', 'batches/s', 'p50 ms', 'p99 ms', 'max ms', 'events'];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  console.log('');
  for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  console.log(`(latency at a steady ${formatRate(OFFERED_SAMPLES_PER_SECOND)} samples/s offered: raw record produced → its anomaly consumed downstream)`);
  for (const result of results) {
    const throughputMet = result.samplesPerSecond >= 100_000;
    const latencyMet = result.latencyMs.p99 < 1000;
    console.log(`${result.kind}: throughput floor 100k samples/s ${throughputMet ? 'met' : 'NOT met'}; p99 latency floor 1 s ${latencyMet ? 'met' : 'NOT met'}.`);
  }
  if (process.env.BENCH_PROFILE) console.log(`CPU profiles of the detector process: ${repoRoot}.vigil/profiles/*.cpuprofile`);
  console.log('\nRerun: npx tsx bench/detector-kafka.bench.ts   (BENCH_BUS=kafka|rdkafka, BENCH_NODES, BENCH_SECONDS, BENCH_PROFILE=1, KAFKA_BROKERS)');
}

await main();
