/**
 * Snapshots on detector.state written in chunks (the memory bus: records of one snapshot spread over
 * the topic's partitions, as on Kafka): a snapshot too large for one record is restored exactly from
 * its chunks, and a snapshot cut short between chunks is never restored — the previous complete one is.
 */
import { afterEach, expect, test } from 'vitest';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import type { MetricBatch, Sample } from '../../src/codec/records.generated.js';
import { createLogger } from '../../src/runtime/logger.js';
import { createPipelineMetrics } from '../../src/runtime/metrics.js';
import { createRecordIo, type RecordIo } from '../../src/runtime/record-io.js';
import { createDetector, restoreDetector, type Detector } from './core/detector.js';
import { openStateStore, type StateStore } from './state-store.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const logger = createLogger({ level: 'silent' });
const chunkBytes = 4096;

function ioOn(bus: MemoryBus): RecordIo {
  return createRecordIo({ bus, metrics: createPipelineMetrics(), service: 'detector-test', logger });
}

async function store(io: RecordIo, claimTimeoutMs = 5_000): Promise<StateStore> {
  const opened = await openStateStore({ io, logger, clock: Date.now, group: 'detectors', claimTimeoutMs, chunkBytes });
  cleanups.push(() => opened.close());
  return opened;
}

/** Scrapes of `nodes` nodes, 60 memory gauges and 40 CPU counters each, with a dip now and then. */
function scrape(node: number, index: number): MetricBatch {
  const timestampMs = 1_764_000_000_000 + index * 15_000;
  const samples: Sample[] = [];
  for (let gauge = 0; gauge < 60; gauge++) {
    const dip = index % 50 >= 40 && index % 50 < 44 && gauge === 0 ? 2 ** 31 : 0;
    samples.push({ name: 'node_memory_MemAvailable_bytes', labels: { zone: String(gauge) }, value: 2 ** 34 - dip + ((index * 7919 + gauge * 613 + node) % 101) * 2 ** 16 });
  }
  for (let cpu = 0; cpu < 40; cpu++) samples.push({ name: 'node_cpu_seconds_total', labels: { cpu: String(cpu), mode: 'user' }, value: 1e5 + index * 12 + ((index * 31 + cpu) % 7) });
  return { id: `n${node}-${index}`, cluster: 'test', node: `worker-${node}`, source: 'node_exporter', timestampMs, samples };
}

function feed(detector: Detector, nodes: number, from: number, to: number): unknown[] {
  const outputs: unknown[] = [];
  for (let index = from; index < to; index++) for (let node = 0; node < nodes; node++) outputs.push(detector.process(scrape(node, index), index * nodes + node));
  return outputs;
}

test('a snapshot of many series is written in chunks under the byte limit and restored exactly', async () => {
  const bus = new MemoryBus();
  const writer = await store(ioOn(bus));
  const original = createDetector();
  feed(original, 12, 0, 45);
  expect(original.stats().series).toBe(1_200);
  const state = original.snapshot();
  expect(state.length).toBeGreaterThan(5 * chunkBytes);
  await writer.write(3, 45 * 12, state);

  // Another instance (as after a takeover) reads the chunks back from the topic.
  const reader = await store(ioOn(bus));
  const snapshot = await reader.latest(3);
  expect(snapshot).toMatchObject({ offset: 45 * 12, chunks: Math.ceil(state.length / chunkBytes) });
  expect(snapshot!.state.equals(state)).toBe(true);
  const restored = restoreDetector(snapshot!.state);
  // It goes on exactly as the detector it was taken from, the dip at 90 included.
  expect(feed(restored, 12, 45, 95)).toEqual(feed(original, 12, 45, 95));
  expect(restored.stats()).toEqual(original.stats());
});

test('a snapshot cut short between its chunks is never restored: the previous complete one is', async () => {
  const bus = new MemoryBus();
  const io = ioOn(bus);
  const writer = await store(io);
  const detector = createDetector();
  feed(detector, 4, 0, 20);
  const first = detector.snapshot();
  await writer.write(0, 80, first);
  feed(detector, 4, 20, 40);
  const second = detector.snapshot();
  expect(second.length).toBeGreaterThan(3 * chunkBytes);

  // The same writer dies after its third chunk of the next snapshot is acknowledged.
  let chunksLeft = 3;
  const dying = await store({
    publish: async (topic, records) => {
      if (chunksLeft === 0) throw new Error('the detector process died');
      if (records.some((record) => 'kind' in record.value && record.value.kind === 'CHUNK')) chunksLeft--;
      await io.publish(topic, records);
    },
    subscribe: (options) => io.subscribe(options),
  });
  await expect(dying.write(0, 160, second)).rejects.toThrow('died');

  const next = await store(ioOn(bus));
  const snapshot = await next.latest(0);
  expect(snapshot?.offset).toBe(80);
  expect(snapshot!.state.equals(first)).toBe(true);

  // The new owner's next snapshot completes, and is what a later owner restores.
  await next.reaffirm(0, snapshot!);
  await next.write(0, 160, second);
  const later = await (await store(ioOn(bus))).latest(0);
  expect(later?.offset).toBe(160);
  expect(later!.state.equals(second)).toBe(true);
});

test('a SNAPSHOT whose chunks never arrive falls back to the previous complete one at the claim timeout', async () => {
  const bus = new MemoryBus();
  const io = ioOn(bus);
  const writer = await store(io);
  const detector = createDetector();
  feed(detector, 2, 0, 10);
  const state = detector.snapshot();
  await writer.write(1, 20, state);
  // A SNAPSHOT naming chunks that were lost (e.g. compacted away under a writer that overwrote them).
  await io.publish('detector.state', [{
    key: 'detectors/1',
    value: { group: 'detectors', partition: 1, kind: 'SNAPSHOT', offset: 40, claim: '', format: 'v8-deflate/1', state: Buffer.alloc(0), generation: 'lost', slot: 'b', chunk: 0, chunks: 2, producedAtMs: Date.now() },
  }]);
  const snapshot = await (await store(ioOn(bus), 300)).latest(1);
  expect(snapshot?.offset).toBe(20);
  expect(snapshot!.state.equals(state)).toBe(true);
});
