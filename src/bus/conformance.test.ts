import { kafkaBrokers } from '../../test/support/kafka-broker.js';
import { busConformance } from './conformance.js';
import { createBus } from './create-bus.js';

for (const kind of ['memory', 'kafka'] as const) {
  busConformance(kind, async ({ handlerRetryMs }) => {
    const bus = createBus({ kind, brokers: kind === 'memory' ? [] : kafkaBrokers(), clientId: `conformance-${kind}`, handlerRetryMs });
    await bus.connect();
    return bus;
  });
}
