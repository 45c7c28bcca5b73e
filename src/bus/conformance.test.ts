import { describe, expect, it } from 'vitest';
import { VigilError } from '../errors.js';
import { createBus } from './create-bus.js';
import { kafkaBrokers } from '../../test/support/kafka-broker.js';
import type { Bus } from './bus.js';
import { busConformance } from './conformance.js';
import { KafkajsBus } from './kafkajs-bus.js';
import { MemoryBus } from './memory-bus.js';
import { RdkafkaBus } from './rdkafka-bus.js';

async function connected(bus: Bus): Promise<Bus> {
  await bus.connect();
  return bus;
}

busConformance('memory', async ({ handlerRetryMs }) => connected(new MemoryBus({ handlerRetryMs })));

// The librdkafka mock misreads kafkajs' LeaveGroup v3, so a departed kafkajs member is only dropped
// when its session times out: short group timeouts keep the rebalance tests quick.
busConformance('kafka', async ({ handlerRetryMs }) => connected(new KafkajsBus({
  brokers: kafkaBrokers(), clientId: 'conformance-kafka', handlerRetryMs,
  sessionTimeoutMs: 3000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 4000,
})));

busConformance('rdkafka', async ({ handlerRetryMs }) => connected(new RdkafkaBus({
  brokers: kafkaBrokers(), clientId: 'conformance-rdkafka', handlerRetryMs,
  librdkafka: { 'session.timeout.ms': 3000, 'heartbeat.interval.ms': 300, 'topic.metadata.refresh.interval.ms': 1000 },
})));

describe.concurrent('connecting to a broker that is not there', () => {
  it.each(['kafka', 'rdkafka'] as const)('%s bus rejects connect() with a retriable VIGIL_BUS error', async (kind) => {
    const bus = createBus({ kind, brokers: ['127.0.0.1:1'], clientId: `unreachable-${kind}` });
    const failure = await bus.connect().then(() => undefined, (error: unknown) => error);
    await bus.close();
    expect(failure).toBeInstanceOf(VigilError);
    expect(failure).toMatchObject({ code: 'VIGIL_BUS', retriable: true });
    expect((failure as Error).message).toContain('127.0.0.1:1');
  });
});

describe('createBus', () => {
  it('asks for KAFKA_BROKERS when a Kafka bus has none', () => {
    expect(() => createBus({ kind: 'rdkafka', clientId: 'x' })).toThrow(/KAFKA_BROKERS/);
  });

  it('builds the kind asked for', () => {
    expect(createBus({ kind: 'memory', clientId: 'x' }).kind).toBe('memory');
    expect(createBus({ kind: 'kafka', brokers: ['127.0.0.1:9092'], clientId: 'x' }).kind).toBe('kafka');
  });
});
