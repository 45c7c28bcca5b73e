/**
 * Confluent Schema Registry framing, checked against an independent implementation: records Vigil
 * writes are decoded by @kafkajs/confluent-schema-registry, records it writes (with the current or
 * an older schema) are decoded by Vigil, both talking to a registry-compatible HTTP server. Then
 * the same over the test Kafka: registry-framed records flow through record I/O, and one whose
 * schema id the registry does not know lands in the dead-letter topic with the reason.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBus } from '../src/bus/create-bus.js';
import { prepareTopics } from '../src/bus/prepare-topics.js';
import { realisticMetricBatch } from '../src/codec/metric-batch.fixtures.js';
import type { Anomaly, DeadLetter } from '../src/codec/records.generated.js';
import { readSchema, topicSchemas, topics } from '../src/codec/schemas.js';
import { schemaRegistryClient } from '../src/codec/schema-registry-client.js';
import { createWireFormat, registrySchemaId, wireFormatFromConfig } from '../src/codec/wire-format.js';
import { VigilError } from '../src/errors.js';
import { commonConfigSchema, loadConfig } from '../src/runtime/config.js';
import { createPipelineMetrics } from '../src/runtime/metrics.js';
import { createRecordIo } from '../src/runtime/record-io.js';
import { startHost } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { scorer } from '../services/scorer/scorer.service.js';
import { kafkaBrokers } from './support/kafka-broker.js';
import { startSchemaRegistry, type TestSchemaRegistry } from './support/schema-registry-server.js';

const anomaly: Anomaly = {
  eventId: 'e-4242-open', id: 'a-4242', entity: { cluster: 'prod-eu', node: 'worker-7', namespace: 'payments', pod: 'ledger-7d9f8-x2k4q', container: 'ledger' },
  metric: 'process_rss_bytes', series: 'process_rss_bytes{comm="java",pid="4242"}', labels: { pid: '4242', comm: 'java' },
  kind: 'TREND', state: 'OPEN', severity: 'CRITICAL', score: 3.7, value: 6.2e9, expectedLow: 1.1e9, expectedHigh: 2.4e9,
  models: ['robust-zscore', 'expert:memory-available'], openedAtMs: 1_764_000_000_000, observedAtMs: 1_764_000_600_000, resolvedAtMs: null,
};

let registry: TestSchemaRegistry;
beforeAll(async () => { registry = await startSchemaRegistry(); });
afterAll(async () => { await registry.close(); });

describe('registry framing against @kafkajs/confluent-schema-registry', () => {
  test('at start every topic and dead-letter topic schema is registered under <prefix><topic>-value', async () => {
    const wire = createWireFormat({ topicPrefix: 'reg-a.', registry: schemaRegistryClient({ url: registry.url }) });
    await wire.prepare();
    for (const topic of topics) {
      expect(registry.subjects.get(`reg-a.${topic}-value`), topic).toHaveLength(1);
      expect(registry.subjects.get(`reg-a.${topic}.dlq-value`), `${topic}.dlq`).toHaveLength(1);
      const id = registry.subjects.get(`reg-a.${topic}-value`)![0]!;
      expect(JSON.parse(registry.schemaText(id)!)).toEqual(readSchema(topicSchemas[topic]));
    }
  });

  test('what Vigil writes carries the registered id and decodes with the library', async () => {
    const wire = createWireFormat({ topicPrefix: 'reg-b.', registry: schemaRegistryClient({ url: registry.url }) });
    await wire.prepare();
    const bytes = wire.codec('anomalies').encode(anomaly);
    expect(bytes[0]).toBe(0);
    expect(registrySchemaId(bytes)).toBe(registry.subjects.get('reg-b.anomalies-value')![0]);
    const library = new SchemaRegistry({ host: registry.url });
    expect(await library.decode(bytes)).toEqual(anomaly);

    const batch = realisticMetricBatch(3);
    const decodedBatch = await library.decode(wire.codec('metrics.raw').encode(batch));
    expect(JSON.parse(JSON.stringify(decodedBatch))).toEqual(JSON.parse(JSON.stringify(batch)));
  });

  test('what the library writes decodes with Vigil; an id is looked up once, then cached', async () => {
    const library = new SchemaRegistry({ host: registry.url });
    // Another text of the same schema (a doc changed) gets an id of its own that this process has not seen.
    const { id } = await library.register({ type: SchemaType.AVRO, schema: JSON.stringify({ ...readSchema('anomalies.avsc'), doc: 'written by the library' }) }, { subject: 'reg-c.anomalies-value' });
    const bytes = await library.encode(id, anomaly);

    // A process that never registered anything: it must ask the registry what id means.
    const wire = createWireFormat({ registry: schemaRegistryClient({ url: registry.url }) });
    const lookupsBefore = registry.idLookups.get(id) ?? 0;
    expect(await wire.codec('anomalies').decode(bytes)).toEqual(anomaly);
    expect(await wire.codec('anomalies').decode(bytes)).toEqual(anomaly);
    expect(registry.idLookups.get(id)! - lookupsBefore).toBe(1);

    // metrics.raw written by the library goes through Vigil's fast decoder (its labels are frozen).
    const metrics = await library.register({ type: SchemaType.AVRO, schema: JSON.stringify({ ...readSchema('metrics.raw.avsc'), doc: 'written by the library' }) }, { subject: 'reg-c.metrics.raw-value' });
    const batch = realisticMetricBatch(5);
    const decodedBatch = await wire.codec('metrics.raw').decode(await library.encode(metrics.id, batch));
    expect(decodedBatch.samples).toHaveLength(batch.samples.length);
    expect(decodedBatch.samples.map((sample) => [sample.name, { ...sample.labels }, sample.value])).toEqual(batch.samples.map((sample) => [sample.name, sample.labels, sample.value]));
    expect(Object.isFrozen(decodedBatch.samples[0]!.labels)).toBe(true);
  });

  test('a record written with an older schema version is read with the current one (defaults filled in)', async () => {
    const current = readSchema('anomalies.avsc') as { fields: { name: string; default?: unknown }[] };
    const older = { ...current, fields: current.fields.filter((field) => field.default === undefined) };
    expect(older.fields.length).toBeLessThan(current.fields.length);
    const library = new SchemaRegistry({ host: registry.url });
    const { id } = await library.register({ type: SchemaType.AVRO, schema: JSON.stringify(older) }, { subject: 'reg-d.anomalies-value' });
    const { resolvedAtMs: _dropped, ...olderRecord } = anomaly;
    const bytes = await library.encode(id, olderRecord);

    const wire = createWireFormat({ registry: schemaRegistryClient({ url: registry.url }) });
    expect(await wire.codec('anomalies').decode(bytes)).toEqual({ ...anomaly, resolvedAtMs: null });
  });

  test('single-object records still decode when a registry is configured, and registry records say what is missing without one', async () => {
    const wire = createWireFormat({ registry: schemaRegistryClient({ url: registry.url }) });
    const singleObject = createWireFormat().codec('anomalies').encode(anomaly);
    expect(singleObject.subarray(0, 2).toString('hex')).toBe('c301');
    expect(wire.codec('anomalies').decode(singleObject)).toEqual(anomaly);

    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from('body')]);
    expect(() => createWireFormat().codec('anomalies').decode(framed)).toThrow(/schema id 1.*VIGIL_SCHEMA_REGISTRY_URL is not set/);
    await expect(Promise.resolve().then(() => wire.codec('anomalies').decode(Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2])))).rejects.toThrow(/schema id 32639.*404/);
  });

  test('a schema the registry refuses as incompatible stops the start, naming the subject', async () => {
    const library = new SchemaRegistry({ host: registry.url });
    // An earlier writer whose `score` is a string: the current schema (score: double) cannot read it.
    const current = readSchema('anomalies.avsc') as { fields: { name: string; type: unknown }[] };
    const incompatible = { ...current, fields: current.fields.map((field) => (field.name === 'score' ? { ...field, type: 'string' } : field)) };
    await library.register({ type: SchemaType.AVRO, schema: JSON.stringify(incompatible) }, { subject: 'reg-e.anomalies-value' });

    const wire = createWireFormat({ topicPrefix: 'reg-e.', registry: schemaRegistryClient({ url: registry.url }) });
    const failure = await wire.prepare().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(VigilError);
    expect((failure as VigilError).code).toBe('VIGIL_CONFIG');
    expect((failure as VigilError).message).toContain('reg-e.anomalies-value');
    expect((failure as VigilError).message).toContain('409');
  });

  test('basic auth: the configured user gets in; a wrong password stops the start without showing it', async () => {
    const guarded = await startSchemaRegistry({ username: 'vigil', password: 's3cret-pw' });
    try {
      const ok = wireFormatFromConfig(loadConfig(commonConfigSchema, { VIGIL_SCHEMA_REGISTRY_URL: guarded.url, VIGIL_SCHEMA_REGISTRY_USERNAME: 'vigil', VIGIL_SCHEMA_REGISTRY_PASSWORD: 's3cret-pw' }));
      await ok.prepare();
      expect(guarded.subjects.get('anomalies-value')).toHaveLength(1);

      const wrong = wireFormatFromConfig(loadConfig(commonConfigSchema, { VIGIL_SCHEMA_REGISTRY_URL: guarded.url, VIGIL_SCHEMA_REGISTRY_USERNAME: 'vigil', VIGIL_SCHEMA_REGISTRY_PASSWORD: 'not-it' }));
      const failure = (await wrong.prepare().catch((error: unknown) => error)) as VigilError;
      expect(failure.code).toBe('VIGIL_CONFIG');
      expect(failure.message).toContain('401');
      expect(failure.message).not.toContain('not-it');
    } finally {
      await guarded.close();
    }
  });

  test('an unreachable registry is worth retrying (VIGIL_BUS), not a bad record', async () => {
    const wire = createWireFormat({ registry: schemaRegistryClient({ url: 'http://127.0.0.1:1', timeoutMs: 2000 }) });
    const failure = (await Promise.resolve().then(() => wire.codec('anomalies').decode(Buffer.from([0, 0, 0, 0, 9, 1]))).catch((error: unknown) => error)) as VigilError;
    expect(failure.code).toBe('VIGIL_BUS');
    expect(failure.retriable).toBe(true);
  });
});

test('over Kafka: registry-framed records flow through record I/O; an unknown schema id is dead-lettered with the reason', async () => {
  const run = `${process.pid}-${Date.now()}`;
  const prefix = `registry-${run}.`;
  const config = loadConfig(commonConfigSchema, { VIGIL_BUS: 'kafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix, VIGIL_SCHEMA_REGISTRY_URL: registry.url });
  const wireFormat = wireFormatFromConfig(config);
  const bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: `registry-${run}` });
  await bus.connect();
  try {
    // The start-up step of every Vigil process: topic creation is refused by the mock broker (tolerated), schemas registered.
    await prepareTopics({ config, busKind: bus.kind, wireFormat, clientId: `registry-${run}` });
    const io = createRecordIo({ bus, metrics: createPipelineMetrics({ defaultMetrics: false }), service: 'test', topicPrefix: prefix, wireFormat });
    const received: Anomaly[] = [];
    const letters: DeadLetter[] = [];
    const letterIds: (number | undefined)[] = [];
    const subscription = await io.subscribe({ topic: 'anomalies', group: `reader-${run}`, handler: async (record) => { received.push(record); } });
    const dlq = await bus.subscribe({
      topic: `${prefix}anomalies.dlq`, group: `dlq-${run}`, fromBeginning: true,
      handler: async (record) => {
        letterIds.push(registrySchemaId(record.value!));
        letters.push(await wireFormat.deadLetterCodec('anomalies').decode(record.value!));
      },
    });
    try {
      await io.publish('anomalies', [{ key: 'prod-eu/worker-7', value: anomaly }]);
      await bus.produce(`${prefix}anomalies`, [{ key: 'prod-eu/worker-7', value: Buffer.from([0, 0, 0, 0x0f, 0x42, 2, 3]) }]);
      await io.publish('anomalies', [{ key: 'prod-eu/worker-7', value: { ...anomaly, eventId: 'e-4242-update', state: 'UPDATE' } }]);
      await waitUntil(() => received.length >= 2 && letters.length >= 1, 30_000);
    } finally {
      await subscription.close();
      await dlq.close();
    }
    expect(received.map((record) => record.state)).toEqual(['OPEN', 'UPDATE']);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.errorCode).toBe('VIGIL_DECODE');
    expect(letters[0]!.error).toContain('schema id 3906');
    expect(letters[0]!.topic).toBe(`${prefix}anomalies`);
    // The dead letter itself is registry-framed with the dead-letter subject's id.
    expect(letterIds).toEqual(registry.subjects.get(`${prefix}anomalies.dlq-value`));
  } finally {
    await bus.close();
  }
}, 60_000);

test('a Vigil service started with VIGIL_SCHEMA_REGISTRY_URL registers its schemas at start and writes registry-framed records', async () => {
  const run = `${process.pid}-${Date.now()}`;
  const prefix = `registry-host-${run}.`;
  const env = {
    VIGIL_BUS: 'kafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix, VIGIL_SCHEMA_REGISTRY_URL: registry.url,
    VIGIL_SCORER_RESTORE_IDLE_MS: '500', VIGIL_LOG_LEVEL: 'warn',
  };
  const host = await startHost({ services: [scorer as unknown as ServiceDefinition], env, http: false, logger: createLogger({ level: 'warn' }), print: () => undefined });
  const bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: `registry-host-${run}` });
  try {
    await host.started;
    expect(registry.subjects.get(`${prefix}health.updates-value`)).toHaveLength(1);
    expect(registry.subjects.get(`${prefix}anomalies.dlq-value`)).toHaveLength(1);
    await bus.connect();
    const updates: Buffer[] = [];
    const subscription = await bus.subscribe({ topic: `${prefix}health.updates`, group: `health-${run}`, fromBeginning: true, handler: async (record) => { updates.push(record.value!); } });
    try {
      // An anomaly another installation wrote in single-object encoding: the scorer reads either framing.
      await bus.produce(`${prefix}anomalies`, [{ key: 'prod-eu/worker-7', value: createWireFormat().codec('anomalies').encode(anomaly) }]);
      await waitUntil(() => updates.length > 0, 30_000);
    } finally {
      await subscription.close();
    }
    expect(registrySchemaId(updates[0]!)).toBe(registry.subjects.get(`${prefix}health.updates-value`)![0]);
    // The library decodes them: the health of the anomaly's node (and its cluster).
    expect(JSON.stringify(await Promise.all(updates.map((bytes) => new SchemaRegistry({ host: registry.url }).decode(bytes))))).toContain('worker-7');
  } finally {
    await bus.close();
    await host.close();
  }
}, 60_000);

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
