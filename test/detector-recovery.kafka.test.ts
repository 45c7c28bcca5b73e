/**
 * The detector on a real Kafka-protocol broker: stopped without committing in the middle of a
 * stream and restarted, the new detector restores the partitions' state from detector.state and
 * downstream still sees every anomaly exactly once after dedup by eventId — the anomalies of one
 * detector that saw the whole stream; garbage bytes on metrics.raw end in metrics.raw.dlq and
 * consumption goes on.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import { detector } from '../services/detector/detector.service.js';
import { createDetector } from '../services/detector/core/detector.js';
import type { Bus } from '../src/bus/bus.js';
import { createBus } from '../src/bus/create-bus.js';
import { codecFor, deadLetterCodec } from '../src/codec/codecs.js';
import type { Anomaly, DeadLetter, MetricBatch } from '../src/codec/records.generated.js';
import { startHost, type Host } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { kafkaBrokers } from './support/kafka-broker.js';
import { memoryDipStream } from './support/memory-dip-stream.js';
import { observeTopic } from './support/topic-observer.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function kafkaBus(clientId: string): Promise<Bus> {
  const bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId });
  await bus.connect();
  cleanups.push(() => bus.close());
  return bus;
}

/** A bus whose subscriptions, when closed, commit nothing: what a crashed process leaves behind. */
function crashingOnClose(bus: Bus): Bus {
  return {
    kind: bus.kind,
    connect: () => bus.connect(),
    produce: (topic, records) => bus.produce(topic, records),
    close: () => bus.close(),
    async subscribe(options) {
      const subscription = await bus.subscribe(options);
      return { ...subscription, assignment: () => subscription.assignment(), commit: () => subscription.commit(), close: () => subscription.close({ commit: false }) };
    },
  };
}

async function startDetector(bus: Bus, env: Record<string, string>): Promise<Host> {
  const host = await startHost({ services: [detector as unknown as ServiceDefinition], env, bus, http: false, logger: createLogger({ level: 'warn' }), print: () => undefined });
  await host.started;
  return host;
}

/** metrics.raw records the host's handler finished. */
async function handledCount(host: Host): Promise<number> {
  const metric = await host.metrics.registry.getSingleMetric('vigil_handler_duration_seconds')?.get();
  return metric?.values
    .filter((value) => (value as { metricName?: string }).metricName === 'vigil_handler_duration_seconds_count' && String(value.labels['topic']).endsWith('metrics.raw'))
    .reduce((sum, value) => sum + value.value, 0) ?? 0;
}

async function counterValue(host: Host, name: string): Promise<number> {
  return (await host.metrics.registry.getSingleMetric(name)?.get())?.values.reduce((sum, value) => sum + value.value, 0) ?? 0;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function env(run: string): Record<string, string> {
  return {
    VIGIL_BUS: 'kafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: `recovery-${run}.`, VIGIL_DETECTOR_GROUP: `detector-${run}`,
    VIGIL_DETECTOR_SNAPSHOT_INTERVAL_MS: '200',
  };
}

async function produceBatches(bus: Bus, topic: string, batches: MetricBatch[]): Promise<void> {
  const codec = codecFor('metrics.raw');
  await bus.produce(topic, batches.map((batch) => ({ key: `${batch.cluster}/${batch.node}`, value: codec.encode(batch) })));
}

test('a detector stopped without committing mid-stream and restarted: every anomaly exactly once after dedup', async () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `recovery-${run}.`;
  // Two nodes scraping side by side, each with a dip that the crash cuts in two.
  const perNode = await Promise.all(['node-a', 'node-b'].map((node) => memoryDipStream({ cluster: 'recovery', node, points: 120, dips: [[30, 45], [70, 90]], topProcesses: 3 })));
  const stream = perNode[0]!.flatMap((batch, index) => [batch, perNode[1]![index]!]);
  const expected = new Map<string, Anomaly>();
  const reference = createDetector();
  stream.forEach((batch, position) => { for (const anomaly of reference.process(batch, position).anomalies) expected.set(anomaly.eventId, anomaly); });
  expect([...expected.values()].filter((a) => a.state === 'OPEN')).toHaveLength(4);
  expect([...expected.values()].filter((a) => a.state === 'RESOLVED')).toHaveLength(4);

  const producer = await kafkaBus(`producer-${run}`);
  const cut = 320; // of 480 batches: in the middle of the second dips
  const snapshotAt = 200; // the first detector writes snapshots around here, then handles up to the cut
  await produceBatches(producer, `${prefix}metrics.raw`, stream.slice(0, snapshotAt));

  const first = await startDetector(crashingOnClose(await kafkaBus(`detector-a-${run}`)), env(run));
  await until(async () => (await handledCount(first)) >= snapshotAt, 60_000, 'the first detector to handle the first part');
  await new Promise((resolve) => setTimeout(resolve, 400)); // past VIGIL_DETECTOR_SNAPSHOT_INTERVAL_MS: the next record of each partition writes one
  await produceBatches(producer, `${prefix}metrics.raw`, stream.slice(snapshotAt, cut));
  await until(async () => (await handledCount(first)) >= cut, 60_000, 'the first detector to handle the second part');
  expect(await counterValue(first, 'vigil_detector_snapshots_written_total')).toBeGreaterThan(0);
  await first.close(); // commits nothing more: a crash

  await produceBatches(producer, `${prefix}metrics.raw`, stream.slice(cut));
  const second = await startDetector(await kafkaBus(`detector-b-${run}`), env(run));
  cleanups.push(() => second.close());

  const downstream = await observeTopic(producer, 'anomalies', { prefix, group: `downstream-${run}` });
  cleanups.push(() => downstream.close());
  await until(async () => new Set(downstream.records.map((a) => a.eventId)).size >= expected.size, 60_000, 'every expected anomaly event downstream').catch((error: Error) => {
    const seen = new Set(downstream.records.map((a) => a.eventId));
    const missing = [...expected.values()].filter((a) => !seen.has(a.eventId)).map((a) => `${a.entity.node} ${a.state} ${a.observedAtMs}`);
    throw new Error(`${error.message}: saw ${seen.size} of ${expected.size}; missing ${missing.join(', ')}`);
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  const deduped = new Map(downstream.records.map((anomaly) => [anomaly.eventId, anomaly]));
  expect([...deduped.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [eventId, anomaly] of deduped) expect(anomaly).toEqual(expected.get(eventId));
  const opened = [...deduped.values()].filter((a) => a.state === 'OPEN').map((a) => a.id);
  expect(new Set(opened).size).toBe(opened.length);
  // The second detector restored the partitions' state from snapshots and was handed again records the first had handled
  // (nothing was committed past the snapshots): whatever it emitted again was dropped by eventId above.
  expect(await counterValue(second, 'vigil_detector_partitions_restored_total')).toBeGreaterThan(0);
  expect(await handledCount(second)).toBeGreaterThan(stream.length - cut);
}, 180_000);

test('garbage bytes on metrics.raw land in metrics.raw.dlq with the reason, and consumption goes on', async () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `recovery-${run}.`;
  const producer = await kafkaBus(`producer-${run}`);
  const garbage = Buffer.from('this is not an avro record \u0000\u00ff', 'utf8');
  await producer.produce(`${prefix}metrics.raw`, [{ key: 'recovery/node-g', value: garbage, headers: { origin: 'test' } }]);
  await produceBatches(producer, `${prefix}metrics.raw`, await memoryDipStream({ cluster: 'recovery', node: 'node-g', points: 80, dips: [[50, 60]], topProcesses: 3 }));

  const letters: DeadLetter[] = [];
  const dlq = await producer.subscribe({
    topic: `${prefix}metrics.raw.dlq`, group: `dlq-${run}`, fromBeginning: true,
    handler: async (record) => { letters.push(deadLetterCodec().decode(record.value!)); },
  });
  cleanups.push(() => dlq.close());
  const anomalies = await observeTopic(producer, 'anomalies', { prefix, group: `anomalies-${run}` });
  cleanups.push(() => anomalies.close());
  const host = await startDetector(await kafkaBus(`detector-${run}`), env(run));
  cleanups.push(() => host.close());

  await until(async () => letters.length > 0, 60_000, 'a dead letter');
  expect(letters).toHaveLength(1);
  expect(letters[0]).toMatchObject({ topic: `${prefix}metrics.raw`, errorCode: 'VIGIL_DECODE', headers: { origin: 'test' } });
  expect(letters[0]!.error).toMatch(/marker/);
  expect(Buffer.from(letters[0]!.value!)).toEqual(garbage);
  expect(letters[0]!.key?.toString()).toBe('recovery/node-g');
  await anomalies.waitFor((anomaly) => anomaly.entity.node === 'node-g' && anomaly.state === 'OPEN', 60_000);
  const metric = await host.metrics.registry.getSingleMetricAsString('vigil_records_dead_lettered_total');
  expect(metric).toMatch(/code="VIGIL_DECODE"\} 1/);
}, 120_000);
