/**
 * `vigil tail` as a person runs it, against the test Kafka: records of a pipeline topic in both
 * framings (single-object, and Schema Registry framing written by @kafkajs/confluent-schema-registry),
 * a record it cannot decode shown with the reason, a dead-letter topic with each letter's original
 * record decoded, and only new records without --from-beginning.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBus } from '../src/bus/create-bus.js';
import type { Bus } from '../src/bus/bus.js';
import { codecFor, deadLetterCodec } from '../src/codec/codecs.js';
import type { Anomaly } from '../src/codec/records.generated.js';
import { readSchema } from '../src/codec/schemas.js';
import { kafkaBrokers } from './support/kafka-broker.js';
import { startSchemaRegistry, type TestSchemaRegistry } from './support/schema-registry-server.js';
import { spawnVigil } from './support/vigil-process.js';

const run = `${process.pid}-${Date.now()}`;
const prefix = `tail-${run}.`;
const key = 'prod-eu/worker-7';
const anomaly = (eventId: string, state: Anomaly['state']): Anomaly => ({
  eventId, id: 'a-4242', entity: { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null },
  metric: 'node_memory_MemAvailable_bytes', series: 'node_memory_MemAvailable_bytes{}', labels: {}, kind: 'DIP', state,
  severity: 'WARNING', score: 2.5, value: 2.1e8, expectedLow: 1.2e9, expectedHigh: 2.4e9, models: ['robust-zscore'],
  openedAtMs: 1_764_000_000_000, observedAtMs: 1_764_000_060_000, resolvedAtMs: null,
});

let bus: Bus;
let registry: TestSchemaRegistry;
let env: Record<string, string>;

beforeAll(async () => {
  registry = await startSchemaRegistry();
  bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: `tail-test-${run}` });
  await bus.connect();
  env = { VIGIL_BUS: 'kafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix, VIGIL_SCHEMA_REGISTRY_URL: registry.url, VIGIL_LOG_LEVEL: 'warn' };
  const library = new SchemaRegistry({ host: registry.url });
  const { id } = await library.register({ type: SchemaType.AVRO, schema: JSON.stringify(readSchema('anomalies.avsc')) }, { subject: `${prefix}anomalies-value` });
  await bus.produce(`${prefix}anomalies`, [
    { key, value: codecFor('anomalies').encode(anomaly('e-open', 'OPEN')) },
    { key, value: await library.encode(id, anomaly('e-update', 'UPDATE')) },
    { key, value: Buffer.from('not avro at all') },
  ]);
  await bus.produce(`${prefix}anomalies.dlq`, [{
    key,
    value: deadLetterCodec().encode({
      topic: `${prefix}anomalies`, partition: 1, offset: '41', key: Buffer.from(key), value: codecFor('anomalies').encode(anomaly('e-handler', 'OPEN')),
      headers: {}, errorCode: 'VIGIL_HANDLER', error: 'scorer: entity prod-eu/worker-7 unknown', attempts: 5, service: 'scorer/vigil-scorer', timestampMs: 1_764_000_070_000,
    }),
  }]);
});

afterAll(async () => {
  await bus?.close();
  await registry?.close();
});

test('--from-beginning --json: every record of the topic, either framing, and the one it cannot read with the reason', async () => {
  const tail = spawnVigil(['tail', 'anomalies', '--from-beginning', '--json'], env);
  try {
    await tail.waitForLine((line) => line.includes('"error"'), 45_000);
    await tail.waitForLine((line) => line.includes('e-update'), 15_000);
  } finally {
    tail.kill('SIGINT');
  }
  expect(await tail.exited()).toBe(0);
  const lines = tail.stdout.filter(Boolean).map((line) => JSON.parse(line) as { offset: string; key: string; topic: string; value?: Anomaly; error?: string });
  expect(lines.map((line) => line.value?.eventId ?? 'error')).toEqual(['e-open', 'e-update', 'error']);
  expect(lines[0]).toMatchObject({ topic: `${prefix}anomalies`, key, value: anomaly('e-open', 'OPEN') });
  expect(lines[1]!.value).toEqual(anomaly('e-update', 'UPDATE'));
  expect(lines[2]!.error).toContain('not an Avro single-object record');
}, 90_000);

test('a dead-letter topic, readable: the reason, and the original record decoded', async () => {
  const tail = spawnVigil(['tail', 'anomalies.dlq', '--from-beginning'], env);
  try {
    await tail.waitForLine((line) => line.includes('"eventId": "e-handler"'), 45_000);
  } finally {
    tail.kill('SIGTERM');
  }
  expect(await tail.exited()).toBe(0);
  const text = tail.stdout.join('\n');
  expect(text).toMatch(new RegExp(`${prefix.replace(/[.]/g, '\\.')}anomalies\\.dlq\\[\\d\\]@0 `));
  expect(text).toContain(`key ${key}`);
  expect(text).toContain('"errorCode": "VIGIL_HANDLER"');
  expect(text).toContain('"error": "scorer: entity prod-eu/worker-7 unknown"');
  expect(text).toContain(`"key": "${key}"`);
}, 90_000);

test('without --from-beginning only records produced after it started; a bad topic or the memory bus are refused', async () => {
  const tail = spawnVigil(['tail', 'anomalies', '--json'], env);
  try {
    await tail.waitForLine((line) => line.includes('tailing'), 45_000, 'stderr');
    // The consumer settles on "the newest offset" at its first fetch, a moment after it is assigned:
    // produce until one record shows up.
    const seen = tail.waitForLine((line) => line.includes('e-later-'), 30_000);
    for (let n = 0; n < 30 && !tail.stdout.some((line) => line.includes('e-later-')); n++) {
      await bus.produce(`${prefix}anomalies`, [{ key, value: codecFor('anomalies').encode(anomaly(`e-later-${n}`, 'RESOLVED')) }]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await seen;
  } finally {
    tail.kill('SIGINT');
  }
  expect(await tail.exited()).toBe(0);
  const shown = tail.stdout.filter(Boolean).map((line) => (JSON.parse(line) as { value: Anomaly }).value.eventId);
  expect(shown.length).toBeGreaterThan(0);
  expect(shown.every((eventId) => eventId.startsWith('e-later-'))).toBe(true);

  const unknown = spawnVigil(['tail', 'anomalys'], env);
  expect(await unknown.exited()).not.toBe(0);
  expect(unknown.stderr.join('\n')).toContain('expected one of metrics.raw');
  const memory = spawnVigil(['tail', 'anomalies'], { ...env, VIGIL_BUS: 'memory' });
  expect(await memory.exited()).toBe(2);
  expect(memory.stderr.join('\n')).toContain('VIGIL_BUS=kafka');
}, 120_000);
