/**
 * Records/s and samples/s through each bus, end to end: produce metrics.raw batches of 200 samples
 * → consume in a group → commit. Consumption runs while producing, with at most WINDOW_PER_PARTITION
 * records in between on any partition, because the librdkafka mock broker keeps only ~5 MB per partition. Also the codec's
 * encode and decode rate for the same batches. Floor: the kafka bus ≥ 5k batches/s (1M samples/s).
 *
 * Rerun: npm run bench:bus            (in-process librdkafka mock broker)
 *        KAFKA_BROKERS=host:9092 npm run bench:bus   (a real cluster)
 *        BENCH_SECONDS=10 npm run bench:bus          (longer runs; default 6 s per bus)
 */
import { randomUUID } from 'node:crypto';
import type { Bus, OutgoingRecord } from '../src/bus/bus.js';
import { createBus, type BusKind } from '../src/bus/create-bus.js';
import { partitionForKey } from '../src/bus/murmur2.js';
import { codecFor } from '../src/codec/codecs.js';
import type { MetricBatch, Sample } from '../src/codec/records.generated.js';
import { startMockKafka, type MockKafka } from '../test/support/kafka-broker-mock.js';

const SAMPLES_PER_BATCH = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
/**
 * Records produced but not yet consumed, at most, per partition: ~10 KB each, so ~3 MB, under the
 * mock's ~5 MB (a consumer lagging further loses records to its retention).
 */
const WINDOW_PER_PARTITION = 300;
/** Records per produce() call, as a collector flushing a few scrapes at once. */
const PRODUCE_CHUNK = 50;

const codec = codecFor('metrics.raw');
const commands = ['java', 'postgres', 'kubelet', 'containerd', 'nginx', 'etcd', 'coredns', 'envoy'];
const modes = ['user', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'nice'];
const memoryNames = ['MemAvailable', 'MemFree', 'Cached', 'Dirty', 'Writeback', 'AnonPages', 'Shmem', 'SwapFree'];

/** A node_exporter-like scrape: memory gauges, per-CPU mode counters, a slice of the process table. */
function metricBatch(node: number, scrape: number): MetricBatch {
  const samples: Sample[] = [];
  for (const name of memoryNames) samples.push({ name: `node_memory_${name}_bytes`, labels: {}, value: 1e9 + node * 1e6 + scrape });
  for (let cpu = 0; samples.length < 8 + 8 * 8; cpu++) {
    for (const mode of modes) samples.push({ name: 'node_cpu_seconds_total', labels: { cpu: String(cpu), mode }, value: 1e5 + cpu * 10.5 + scrape });
  }
  for (let pid = 1000; samples.length < SAMPLES_PER_BATCH; pid++) {
    const comm = commands[pid % commands.length]!;
    samples.push({ name: 'process_rss_bytes', labels: { pid: String(pid), comm }, value: 5e7 + pid * 4096 });
    if (samples.length < SAMPLES_PER_BATCH) samples.push({ name: 'process_cpu_seconds_total', labels: { pid: String(pid), comm }, value: pid / 7 + scrape });
  }
  return {
    id: `${node}-${scrape}`.padEnd(32, '0'),
    cluster: 'bench',
    node: `worker-${node}`,
    source: 'proc',
    timestampMs: 1_764_000_000_000 + scrape * 15_000,
    samples,
  };
}

/** 16 nodes whose keys fall 4 to each of the 4 partitions, so the window spreads evenly over them. */
function evenlyPartitionedNodes(): number[] {
  const perPartition = [0, 0, 0, 0];
  const nodes: number[] = [];
  for (let node = 0; nodes.length < 16; node++) {
    const partition = partitionForKey(Buffer.from(`bench/worker-${node}`), 4);
    if (perPartition[partition]! < 4) {
      perPartition[partition]!++;
      nodes.push(node);
    }
  }
  return nodes;
}

const nodes = evenlyPartitionedNodes();
const batches = Array.from({ length: 64 }, (_, i) => metricBatch(nodes[i % nodes.length]!, i));
const records: OutgoingRecord[] = batches.map((batch) => ({ key: `${batch.cluster}/${batch.node}`, value: codec.encode(batch) }));
const partitionOf = records.map((record) => partitionForKey(Buffer.from(record.key), 4));
const bytesPerRecord = records.reduce((sum, record) => sum + record.value.length, 0) / records.length;

interface Result {
  name: string;
  batchesPerSecond: number;
  note: string;
}

function rate(seconds: number, run: () => void): number {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) run();
    done += 100;
  }
  return done / seconds;
}

function codecResults(): Result[] {
  let i = 0;
  rate(0.3, () => codec.decode(records[i++ % records.length]!.value));
  const encode = rate(1.5, () => codec.encode(batches[i++ % batches.length]!));
  const decode = rate(1.5, () => codec.decode(records[i++ % records.length]!.value));
  return [
    { name: 'codec encode', batchesPerSecond: encode, note: 'one core, no bus' },
    { name: 'codec decode', batchesPerSecond: decode, note: 'one core, no bus' },
  ];
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function throughput(kind: BusKind, brokers: string[]): Promise<Result> {
  const bus: Bus = createBus({ kind, brokers, clientId: `bench-${kind}` });
  await bus.connect();
  const topic = `bench.metrics.raw.${kind}.${randomUUID().slice(0, 8)}`;
  let consumed = 0;
  let consumedBytes = 0;
  const consumedPerPartition = [0, 0, 0, 0];
  const producedPerPartition = [0, 0, 0, 0];
  // Create the topic, then let the group settle before the clock starts.
  await bus.produce(topic, [records[0]!]);
  const subscription = await bus.subscribe({
    topic, group: `bench-${kind}`, commitIntervalMs: 1000,
    handler: async (record) => {
      consumed++;
      consumedPerPartition[record.partition]!++;
      consumedBytes += record.value?.length ?? 0;
    },
  });
  await waitUntil(() => subscription.assignment().length > 0 && consumed === 1, 60_000, `${kind} consumer to join`);
  consumed = 0;
  consumedBytes = 0;
  consumedPerPartition.fill(0);

  let produced = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const inFlight = new Set<Promise<void>>();
  while (performance.now() < deadline) {
    if (producedPerPartition.some((count, partition) => count - consumedPerPartition[partition]! >= WINDOW_PER_PARTITION)) {
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    const chunk: OutgoingRecord[] = [];
    for (let i = 0; i < PRODUCE_CHUNK; i++, next++) {
      chunk.push(records[next % records.length]!);
      producedPerPartition[partitionOf[next % records.length]!]!++;
    }
    produced += chunk.length;
    const sent = bus.produce(topic, chunk);
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await waitUntil(() => consumed >= produced, 30_000, `${kind} consumer to catch up (${consumed} of ${produced} records)`);
  const seconds = (performance.now() - started) / 1000;
  await subscription.commit();
  await subscription.close();
  await bus.close();
  return {
    name: `${kind} bus`,
    batchesPerSecond: consumed / seconds,
    note: `${consumed} records, ${(consumedBytes / seconds / 1e6).toFixed(1)} MB/s${kind === 'memory' ? ' (by reference, no copy)' : ''}, produce→consume→commit`,
  };
}

function formatRate(perSecond: number): string {
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M` : perSecond >= 1e3 ? `${(perSecond / 1e3).toFixed(1)}k` : perSecond.toFixed(0);
}

async function main(): Promise<void> {
  const configured = process.env.KAFKA_BROKERS?.trim();
  let mock: MockKafka | undefined;
  if (!configured) mock = await startMockKafka();
  const brokers = (configured ?? mock!.brokers).split(',');
  console.log(`metrics.raw batches of ${SAMPLES_PER_BATCH} samples, ${bytesPerRecord.toFixed(0)} bytes encoded; ` +
    `Kafka: ${configured ? configured : `librdkafka mock cluster in this process (${mock!.brokers})`}; ${SECONDS} s per bus\n`);

  const results: Result[] = [];
  try {
    for (const kind of ['memory', 'kafka', 'rdkafka'] as const) {
      const result = await throughput(kind, brokers);
      results.push(result);
      console.log(`  ${result.name}: ${formatRate(result.batchesPerSecond)} batches/s`);
    }
  } finally {
    await mock?.stop();
  }
  results.push(...codecResults());

  const rows = results.map((result) => [
    result.name, formatRate(result.batchesPerSecond), formatRate(result.batchesPerSecond * SAMPLES_PER_BATCH), result.note,
  ]);
  const header = ['', 'batches/s', 'samples/s', ''];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  console.log('');
  for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());

  const kafka = results.find((result) => result.name === 'kafka bus')!;
  const rdkafka = results.find((result) => result.name === 'rdkafka bus')!;
  const memory = results.find((result) => result.name === 'memory bus')!;
  const [faster, slower] = kafka.batchesPerSecond >= rdkafka.batchesPerSecond ? [kafka, rdkafka] : [rdkafka, kafka];
  console.log(`\n${faster.name} is ${(faster.batchesPerSecond / slower.batchesPerSecond).toFixed(2)}x ${slower.name}; ` +
    `memory bus is ${(memory.batchesPerSecond / faster.batchesPerSecond).toFixed(1)}x ${faster.name}.`);
  const floor = 5000;
  console.log(`kafka bus floor ${formatRate(floor)} batches/s (${formatRate(floor * SAMPLES_PER_BATCH)} samples/s): ` +
    `${kafka.batchesPerSecond >= floor ? 'met' : 'NOT met'}.`);
  console.log('\nRerun: npm run bench:bus   (KAFKA_BROKERS=host:port npm run bench:bus against a real cluster)');
}

await main();
