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
