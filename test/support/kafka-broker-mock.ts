/**
 * librdkafka's mock cluster, started inside this process through node-rdkafka: a real Kafka wire
 * protocol endpoint (topics auto-created with 4 partitions, groups, offsets) with no JVM and no
 * Docker. It keeps only ~5 MB per partition, so consume while producing.
 */
import { createRequire } from 'node:module';
import type * as RdkafkaModule from 'node-rdkafka';

const require = createRequire(import.meta.url);

export interface MockKafka {
  /** bootstrap.servers of the mock cluster, e.g. "127.0.0.1:41234,127.0.0.1:37011,127.0.0.1:42001". */
  brokers: string;
  stop(): Promise<void>;
}

export async function startMockKafka(options: { brokers?: number; timeoutMs?: number } = {}): Promise<MockKafka> {
  const Kafka = require('node-rdkafka') as typeof RdkafkaModule;
  const config = { 'bootstrap.servers': '', 'test.mock.num.brokers': options.brokers ?? 3, debug: 'mock' };
  const producer = new Kafka.Producer(config as RdkafkaModule.ProducerGlobalConfig);
  const brokers = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the librdkafka mock cluster did not log its bootstrap.servers')), options.timeoutMs ?? 15_000);
    producer.on('event.log', (entry: { message: string }) => {
      const match = /bootstrap\.servers=(\S+)/.exec(entry.message);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  await new Promise<void>((resolve, reject) => producer.connect({}, (error) => (error ? reject(error) : resolve())));
  return {
    brokers: await brokers,
    stop: () => new Promise<void>((resolve) => producer.disconnect(() => resolve())),
  };
}
