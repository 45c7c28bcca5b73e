/** Builds the bus a process runs on, from configuration (VIGIL_BUS, KAFKA_BROKERS). */
import { VigilError } from '../errors.js';
import type { Bus, BusLogger } from './bus.js';
import { KafkajsBus } from './kafkajs-bus.js';
import { MemoryBus } from './memory-bus.js';
import { RdkafkaBus } from './rdkafka-bus.js';

export type BusKind = Bus['kind'];

export interface CreateBusOptions {
  kind: BusKind;
  /** Bootstrap servers; required for kafka and rdkafka. */
  brokers?: string[];
  clientId: string;
  logger?: BusLogger;
  /** Pause before a record whose handler rejected is handed over again. Default 1000. */
  handlerRetryMs?: number;
}

/** The bus is created unconnected: call connect() (and retry it while the broker is unreachable). */
export function createBus(options: CreateBusOptions): Bus {
  const { kind, clientId, logger, handlerRetryMs } = options;
  if (kind === 'memory') return new MemoryBus({ logger, handlerRetryMs });
  const brokers = (options.brokers ?? []).map((broker) => broker.trim()).filter(Boolean);
  if (brokers.length === 0) throw new VigilError('VIGIL_CONFIG', `the ${kind} bus needs KAFKA_BROKERS (host:port, comma-separated)`);
  if (kind === 'kafka') return new KafkajsBus({ brokers, clientId, logger, handlerRetryMs });
  if (kind === 'rdkafka') return new RdkafkaBus({ brokers, clientId, logger, handlerRetryMs });
  throw new VigilError('VIGIL_CONFIG', `unknown bus kind ${String(kind)}: expected memory, kafka or rdkafka`);
}
