/** `vigil explain REPORT_ID`: the report store is the diagnosis.reports topic, read through the test Kafka. */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createBus } from '../src/bus/create-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import { schemaRegistryClient } from '../src/codec/schema-registry-client.js';
import { createWireFormat, registrySchemaId } from '../src/codec/wire-format.js';
import { loadConfig } from '../src/runtime/config.js';
import { collectorConfigSchema } from '../services/collector/collector-config.js';
import { diagnoseCapture } from '../services/diagnoser/commands/diagnose-capture.js';
import { kafkaBrokers } from './support/kafka-broker.js';
import { startSchemaRegistry } from './support/schema-registry-server.js';
import { repoRoot, spawnVigil } from './support/vigil-process.js';

test('explains a report found by its id on diagnosis.reports, and says so when the id is unknown', async () => {
  const { reports } = await diagnoseCapture(loadConfig(collectorConfigSchema, {}), join(repoRoot, 'test/fixtures/captures/memory-leak'), { cluster: 'local' });
  const report = reports[0]!;
  expect(report.rootCause.code).toBe('MEMORY_LEAK_PROCESS');
  const prefix = `explain-${process.pid}-${Date.now()}.`;
  const bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: 'explain-test' });
  await bus.connect();
  try {
    const codec = codecFor('diagnosis.reports');
    const other = { ...report, id: 'some-other-report', rootCause: { code: 'CPU_LIMIT_TOO_LOW', summary: 'another report' } };
    await bus.produce(`${prefix}diagnosis.reports`, [other, report].map((value) => ({ key: 'local/vm', value: codec.encode(value) })));
  } finally {
    await bus.close();
  }
  const env = { VIGIL_BUS: 'kafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix, VIGIL_LOG_LEVEL: 'warn' };

  const explain = spawnVigil(['explain', report.id], env);
  expect(await explain.exited()).toBe(0);
  const text = explain.stdout.join('\n');
  expect(text).toContain(`report ${report.id}`);
  expect(text).toContain('so: MEMORY_LEAK_PROCESS');
  expect(text).toContain('what was measured:');

  const unknown = spawnVigil(['explain', 'no-such-report'], env);
  expect(await unknown.exited()).toBe(1);
  expect(unknown.stderr.join('\n')).toContain(`no report with id no-such-report on ${prefix}diagnosis.reports`);
}, 90_000);

test('explains a report written in the Schema Registry framing when VIGIL_SCHEMA_REGISTRY_URL is set', async () => {
  const { reports } = await diagnoseCapture(loadConfig(collectorConfigSchema, {}), join(repoRoot, 'test/fixtures/captures/fork-storm'), { cluster: 'local' });
  const report = reports[0]!;
  const registry = await startSchemaRegistry();
  const prefix = `explain-reg-${process.pid}-${Date.now()}.`;
  const bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: 'explain-registry-test' });
  await bus.connect();
  try {
    const wire = createWireFormat({ topicPrefix: prefix, registry: schemaRegistryClient({ url: registry.url }) });
    await wire.prepare();
    const value = wire.codec('diagnosis.reports').encode(report);
    expect(registrySchemaId(value)).toBeGreaterThan(0);
    await bus.produce(`${prefix}diagnosis.reports`, [{ key: 'local/vm', value }]);
    const env = { VIGIL_BUS: 'kafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix, VIGIL_LOG_LEVEL: 'warn', VIGIL_SCHEMA_REGISTRY_URL: registry.url };
    const explain = spawnVigil(['explain', report.id], env);
    expect(await explain.exited()).toBe(0);
    expect(explain.stdout.join('\n')).toContain(`so: ${report.rootCause.code}`);
  } finally {
    await bus.close();
    await registry.close();
  }
}, 90_000);
