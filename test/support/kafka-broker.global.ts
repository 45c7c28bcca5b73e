/**
 * vitest globalSetup: one Kafka for every test file. Uses KAFKA_BROKERS when set (a real cluster),
 * otherwise librdkafka's mock cluster started in vitest's main process, kept alive until teardown.
 */
import type { TestProject } from 'vitest/node';
import { startMockKafka } from './kafka-broker-mock.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env.KAFKA_BROKERS?.trim();
  if (configured) {
    project.provide('kafkaBrokers', configured);
    return async () => {};
  }
  const mock = await startMockKafka();
  project.provide('kafkaBrokers', mock.brokers);
  return () => mock.stop();
}
