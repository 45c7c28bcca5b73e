/**
 * Two detector instances in one consumer group on a real Kafka-protocol broker, consuming while a
 * collector-like producer produces 8 nodes' scrapes with scripted memory dips. Mid-stream one
 * instance stops — cleanly, or as a crash that commits nothing — while production goes on, in the
 * middle of dips it has opened. The survivor restores the leaver's partitions from their snapshots
 * on detector.state (the engine's state included) and goes on from there. Downstream, after
 * dropping duplicates by eventId, the anomaly events are exactly those of one detector that saw the
 * whole stream, with the engine deciding: every OPEN arrives, none is lost, none is doubled, the
 * anomalies the leaver opened are resolved by the survivor, and the survivor owns every partition.
 *
 * Buses: the clean stop runs on node-rdkafka, whose LeaveGroup the librdkafka mock understands, so
 * the survivor takes over at once. The crash runs on kafkajs, whose LeaveGroup the mock misreads:
 * the crashed member is dropped only when its session times out, which is what a real crash looks
 * like; a 3 s session timeout keeps that short.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { detector } from '../services/detector/detector.service.js';
import { createDetector } from '../services/detector/core/detector.js';
import type { Bus, Subscription } from '../src/bus/bus.js';
import { KafkajsBus } from '../src/bus/kafkajs-bus.js';
import { partitionForKey } from '../src/bus/murmur2.js';
import { RdkafkaBus } from '../src/bus/rdkafka-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import { VigilError } from '../src/errors.js';
import type { Anomaly, MetricBatch } from '../src/codec/records.generated.js';
import { startHost, type Host } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { kafkaBrokers } from './support/kafka-broker.js';
import { memoryDipStream } from './support/memory-dip-stream.js';
import { observeTopic } from './support/topic-observer.js';

const PARTITIONS = 4;
const CLUSTER = 'scale-out';
const POINTS = 170;
/** The point after which the leaving instance stops, in the middle of every node's second dip. */
const STOP_AT = 90;
/** Wall-clock time between two scrapes of all nodes: the stream lasts POINTS × TICK_MS. */
const TICK_MS = 30;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

type BusKind = 'kafka' | 'rdkafka';

function newBus(kind: BusKind, clientId: string): Bus {
  const brokers = kafkaBrokers();
  if (kind === 'rdkafka') {
    return new RdkafkaBus({ brokers, clientId, librdkafka: { 'session.timeout.ms': 3000, 'heartbeat.interval.ms': 300 } });
  }
  return new KafkajsBus({ brokers, clientId, sessionTimeoutMs: 3000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 4000 });
}

/** What one detector instance did, seen from its bus: its subscription and the anomalies it produced. */
interface Instance {
  host: Host;
  subscription(): Subscription;
  emitted: Anomaly[];
  /** Close as the service does; `crash` commits nothing on the way out. */
  stop(options: { crash: boolean }): Promise<void>;
}

async function startInstance(kind: BusKind, name: string, run: string): Promise<Instance> {
  const bus = newBus(kind, `${name}-${run}`);
  const anomalies = codecFor('anomalies');
  const emitted: Anomaly[] = [];
  let subscription: Subscription | undefined;
  let crash = false;
  const instrumented: Bus = {
    kind: bus.kind,
    connect: () => bus.connect(),
    close: () => bus.close(),
    async produce(topic, records) {
      await bus.produce(topic, records);
      if (topic.endsWith('.anomalies')) for (const record of records) emitted.push(anomalies.decode(record.value));
    },
    async subscribe(options) {
      // Frequent commits, so a crash leaves a recent committed offset (bounded by retainFrom) behind.
      const inner = await bus.subscribe({ ...options, commitIntervalMs: 300 });
      subscription = inner;
      return { assignment: () => inner.assignment(), commit: () => inner.commit(), close: (closeOptions) => inner.close(crash ? { commit: false } : closeOptions) };
    },
  };
  const env = {
    VIGIL_BUS: kind, KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: `scale-out-${run}.`, VIGIL_DETECTOR_GROUP: `detector-${run}`,
    VIGIL_DETECTOR_SNAPSHOT_INTERVAL_MS: '150',
  };
  const host = await startHost({
    services: [detector as unknown as ServiceDefinition], env, bus: instrumented, http: false,
    logger: createLogger({ level: 'warn' }), print: () => undefined,
  });
  await host.started;
  let stopped = false;
  const stop = async (options: { crash: boolean }): Promise<void> => {
    if (stopped) return;
    stopped = true;
    crash = options.crash;
    await host.close();
    await bus.close();
  };
  cleanups.push(() => stop({ crash: false }));
  return { host, subscription: () => subscription!, emitted, stop };
}

async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(20);
  }
}

/** 8 node names whose keys fall two to each partition, so both instances own nodes. */
function nodesOverPartitions(): string[] {
  const perPartition = new Array<number>(PARTITIONS).fill(0);
  const nodes: string[] = [];
  for (let i = 0; nodes.length < 2 * PARTITIONS; i++) {
    const node = `node-${i}`;
    const partition = partitionForKey(Buffer.from(`${CLUSTER}/${node}`), PARTITIONS);
    if (perPartition[partition]! < 2) {
      perPartition[partition]!++;
      nodes.push(node);
    }
  }
  return nodes;
}

interface Scenario {
  nodes: string[];
  /** ticks[point] = every node's batches of that scrape. */
  ticks: MetricBatch[][];
  /** Anomaly events by eventId, as one detector that saw the whole stream emits them. */
  expected: Map<string, Anomaly>;
}

/**
 * One dip per node (so the test does not lean on how the core treats a second dip): on one node of
 * each partition the stop cuts the dip in two, on the other the dip comes after the stop; each
 * shifted a little per node so the transitions of different nodes do not coincide.
 */
async function scenario(): Promise<Scenario> {
  const nodes = nodesOverPartitions();
  const seenPartitions = new Set<number>();
  const perNode = await Promise.all(nodes.map((node, i) => {
    const partition = partitionForKey(Buffer.from(`${CLUSTER}/${node}`), PARTITIONS);
    const cutInTwo = !seenPartitions.has(partition);
    seenPartitions.add(partition);
    const dip: [number, number] = cutInTwo ? [STOP_AT - 10 + (i % 3), STOP_AT + 12 + i] : [STOP_AT + 40 + i, STOP_AT + 50 + i];
    return memoryDipStream({ cluster: CLUSTER, node, points: POINTS, topProcesses: 3, dips: [dip] });
  }));
  const ticks = Array.from({ length: POINTS }, (_, point) => perNode.flatMap((batches) => batches.slice(2 * point, 2 * point + 2)));
  const expected = new Map<string, Anomaly>();
  const reference = createDetector();
  ticks.flat().forEach((batch, position) => {
    for (const anomaly of reference.process(batch, position).anomalies) expected.set(anomaly.eventId, anomaly);
  });
  return { nodes, ticks, expected };
}

function partitionOf(anomaly: Anomaly): number {
  return partitionForKey(Buffer.from(`${anomaly.entity.cluster}/${anomaly.entity.node}`), PARTITIONS);
}

async function scaleOut(kind: BusKind, crash: boolean): Promise<void> {
  const run = randomUUID().slice(0, 8);
  const prefix = `scale-out-${run}.`;
  const { ticks, expected } = await scenario();
  const expectedOpens = [...expected.values()].filter((anomaly) => anomaly.state === 'OPEN');
  expect(expectedOpens.length).toBeGreaterThanOrEqual(8);

  const producer = newBus('rdkafka', `producer-${run}`);
  await producer.connect();
  cleanups.push(() => producer.close());
  const codec = codecFor('metrics.raw');
  const produceTick = (point: number): Promise<void> => producer.produce(`${prefix}metrics.raw`,
    ticks[point]!.map((batch) => ({ key: `${batch.cluster}/${batch.node}`, value: codec.encode(batch) })));

  const downstream = await observeTopic(newBusConnected(`downstream-${run}`), 'anomalies', { prefix, group: `downstream-${run}` });
  cleanups.push(() => downstream.close());

  // The first scrape creates the topic; one instance takes every partition, the second splits them.
  await produceTick(0);
  const leaver = await startInstance(kind, 'leaver', run);
  await until(() => leaver.subscription().assignment().length === PARTITIONS, 30_000, () => 'the first instance to own every partition');
  const survivor = await startInstance(kind, 'survivor', run);
  await until(() => leaver.subscription().assignment().length > 0 && survivor.subscription().assignment().length > 0
    && leaver.subscription().assignment().length + survivor.subscription().assignment().length === PARTITIONS,
  30_000, () => 'the two instances to split the partitions');

  // The producer keeps its pace whatever the detectors do.
  let produced = 1;
  const production = (async () => {
    const started = performance.now();
    for (let point = 1; point < POINTS; point++) {
      await produceTick(point);
      produced = point + 1;
      const due = started + point * TICK_MS - performance.now();
      if (due > 0) await sleep(due);
    }
  })();

  // Stop the leaver once it has opened the dips of its nodes that the stop cuts in two.
  await until(() => produced > STOP_AT, 30_000, () => `tick ${STOP_AT} to be produced`);
  const leaverPartitions = leaver.subscription().assignment();
  expect(leaverPartitions.length).toBeGreaterThan(0);
  const stopAtMs = ticks[STOP_AT]![0]!.timestampMs;
  const resolvedAtMs = new Map([...expected.values()].filter((anomaly) => anomaly.state === 'RESOLVED').map((anomaly) => [anomaly.id, anomaly.observedAtMs]));
  const cutInTwo = expectedOpens.filter((anomaly) => leaverPartitions.includes(partitionOf(anomaly))
    && anomaly.openedAtMs <= stopAtMs && (resolvedAtMs.get(anomaly.id) ?? Infinity) > stopAtMs);
  expect(cutInTwo.length).toBeGreaterThan(0);
  await until(() => cutInTwo.every((open) => leaver.emitted.some((anomaly) => anomaly.eventId === open.eventId)), 10_000,
    () => `the leaver to open ${cutInTwo.length} dips`);
  await leaver.stop({ crash });

  await production;
  await until(() => new Set(downstream.records.map((anomaly) => anomaly.eventId)).size >= expected.size, 40_000, () => {
    const seen = new Set(downstream.records.map((anomaly) => anomaly.eventId));
    const missing = [...expected.values()].filter((anomaly) => !seen.has(anomaly.eventId)).map((anomaly) => `${anomaly.entity.node} ${anomaly.state} ${anomaly.observedAtMs}`);
    return `every expected anomaly event downstream: saw ${seen.size} of ${expected.size}; missing ${missing.join(', ')}`;
  });
  await sleep(500);

  // Downstream, after dropping duplicates by eventId: exactly the events of one uninterrupted detector.
  const deduped = new Map(downstream.records.map((anomaly) => [anomaly.eventId, anomaly]));
  expect([...deduped.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [eventId, anomaly] of deduped) expect(anomaly).toEqual(expected.get(eventId));
  // One OPEN per anomaly id: no instance opened, under a new id, what the other had opened.
  const opened = [...deduped.values()].filter((anomaly) => anomaly.state === 'OPEN').map((anomaly) => anomaly.id);
  expect(new Set(opened).size).toBe(opened.length);
  expect(new Set(opened)).toEqual(new Set(expectedOpens.map((anomaly) => anomaly.id)));

  // The survivor owns every partition, and finished what the leaver had opened.
  expect(survivor.subscription().assignment()).toEqual([0, 1, 2, 3]);
  const partitionsGauge = await survivor.host.metrics.registry.getSingleMetric('vigil_detector_partitions')?.get();
  expect(partitionsGauge?.values[0]?.value).toBe(PARTITIONS);
  for (const open of cutInTwo) {
    expect(survivor.emitted.some((anomaly) => anomaly.id === open.id && anomaly.state === 'RESOLVED')).toBe(true);
  }
  // It took them over from the leaver's snapshots, not from scratch.
  const restored = await survivor.host.metrics.registry.getSingleMetric('vigil_detector_partitions_restored_total')?.get();
  expect(restored?.values[0]?.value).toBeGreaterThanOrEqual(leaverPartitions.length);
  // ... and the dips after the stop on the leaver's former partitions were opened by the survivor.
  const opensAfterStop = expectedOpens.filter((anomaly) => leaverPartitions.includes(partitionOf(anomaly)) && anomaly.openedAtMs > ticks[STOP_AT + 30]![0]!.timestampMs);
  expect(opensAfterStop.length).toBeGreaterThan(0);
  for (const open of opensAfterStop) expect(survivor.emitted.map((anomaly) => anomaly.eventId)).toContain(open.eventId);
}

function newBusConnected(clientId: string): Bus {
  const bus = newBus('kafka', clientId);
  cleanups.push(() => bus.close());
  return bus;
}

test('an anomaly whose publishing failed is published when the bus hands its record over again', async () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `scale-out-${run}.`;
  const stream = await memoryDipStream({ cluster: CLUSTER, node: 'node-p', points: 80, dips: [[50, 60]], topProcesses: 3 });
  const reference = createDetector();
  const expected = stream.flatMap((batch, position) => reference.process(batch, position).anomalies);
  expect(expected.map((anomaly) => anomaly.state)).toContain('OPEN');

  const bus = newBus('rdkafka', `flaky-${run}`);
  await bus.connect();
  cleanups.push(() => bus.close());
  let failuresLeft = 1;
  const flaky: Bus = {
    kind: bus.kind, connect: () => bus.connect(), close: () => bus.close(), subscribe: (options) => bus.subscribe(options),
    async produce(topic, records) {
      if (topic.endsWith('.anomalies') && failuresLeft-- > 0) throw new VigilError('VIGIL_BUS', 'the broker did not acknowledge', { retriable: true });
      await bus.produce(topic, records);
    },
  };
  const codec = codecFor('metrics.raw');
  await bus.produce(`${prefix}metrics.raw`, stream.map((batch) => ({ key: `${batch.cluster}/${batch.node}`, value: codec.encode(batch) })));
  const downstream = await observeTopic(bus, 'anomalies', { prefix, group: `downstream-${run}` });
  cleanups.push(() => downstream.close());
  const host = await startHost({
    services: [detector as unknown as ServiceDefinition], bus: flaky, http: false, logger: createLogger({ level: 'silent' }), print: () => undefined,
    env: { VIGIL_BUS: 'rdkafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix, VIGIL_DETECTOR_GROUP: `detector-${run}` },
  });
  cleanups.push(() => host.close());

  await until(() => new Set(downstream.records.map((anomaly) => anomaly.eventId)).size >= expected.length, 30_000, () => `${expected.length} anomaly events`);
  expect(failuresLeft).toBeLessThan(0);
  expect(new Map(downstream.records.map((anomaly) => [anomaly.eventId, anomaly]))).toEqual(new Map(expected.map((anomaly) => [anomaly.eventId, anomaly])));
}, 60_000);

test('a detector leaving its group cleanly mid-stream: the other takes every partition over, each anomaly exactly once after dedup (rdkafka)', async () => {
  await scaleOut('rdkafka', false);
}, 60_000);

test('a detector crashing mid-stream without committing: the other takes every partition over, each anomaly exactly once after dedup (kafkajs)', async () => {
  await scaleOut('kafka', true);
}, 60_000);
