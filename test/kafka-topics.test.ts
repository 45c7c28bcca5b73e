/**
 * Topic creation at start against the test Kafka. librdkafka's mock cluster auto-creates topics
 * and reports no controller, so kafkajs' CreateTopics cannot reach it: Vigil must say so once and
 * go on, and report the topics that were there already. (On a real Kafka the same call creates
 * the missing topics with the catalogue's partitions and configs; KAFKA_BROKERS=<a real cluster>
 * runs this file against one.)
 */
import { expect, test } from 'vitest';
import { createBus } from '../src/bus/create-bus.js';
import { createMissingTopics } from '../src/bus/topic-admin.js';
import { topicCatalogue } from '../src/bus/topic-settings.js';
import { kafkaBrokers } from './support/kafka-broker.js';

test('missing topics are created where the broker allows, and a refusal is a warning, not a failed start', async () => {
  const prefix = `topics-${process.pid}-${Date.now()}.`;
  const catalogue = topicCatalogue({ prefix, partitions: 3 });
  const bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: 'topics-test' });
  await bus.connect();
  try {
    // One topic exists already (created by producing to it, as auto-creation does).
    await bus.produce(`${prefix}anomalies`, [{ key: 'k', value: Buffer.from('x') }]);
  } finally {
    await bus.close();
  }
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (_context: object, message: string) => { warnings.push(message); } };
  const started = Date.now();
  const result = await createMissingTopics({ brokers: kafkaBrokers(), clientId: 'topics-test', topics: catalogue, logger });
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(result.existing).toEqual([`${prefix}anomalies`]);
  if (result.failed === undefined) {
    // A broker that creates topics (a real Kafka): every missing one was created.
    expect(result.created.sort()).toEqual(catalogue.map((topic) => topic.name).filter((name) => name !== `${prefix}anomalies`).sort());
  } else {
    expect(result.created).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('could not create topics')]);
  }
}, 30_000);
