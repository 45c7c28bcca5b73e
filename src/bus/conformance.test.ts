import { busConformance } from './conformance.js';
import { MemoryBus } from './memory-bus.js';

busConformance('memory', async ({ handlerRetryMs }) => new MemoryBus({ handlerRetryMs }));
