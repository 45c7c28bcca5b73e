/** Builds the bus a process runs on, from configuration (VIGIL_BUS, KAFKA_BROKERS, KAFKA_SASL_*, KAFKA_TLS_*). */
import { VigilError } from '../errors.js';
import type { CommonConfig } from '../runtime/config.js';
import type { Bus, BusLogger } from './bus.js';
import { describeKafkaSecurity, kafkaSecurityFromConfig, type KafkaSecurity } from './kafka-security.js';
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
  /** SASL and TLS for kafka and rdkafka; default plaintext. */
  security?: KafkaSecurity;
}

/** The bus is created unconnected: call connect() (and retry it while the broker is unreachable). */
export function createBus(options: CreateBusOptions): Bus {
  const { kind, clientId, logger, handlerRetryMs, security } = options;
  if (kind === 'memory') return new MemoryBus({ logger, handlerRetryMs });
  const brokers = (options.brokers ?? []).map((broker) => broker.trim()).filter(Boolean);
  if (brokers.length === 0) throw new VigilError('VIGIL_CONFIG', `the ${kind} bus needs KAFKA_BROKERS (host:port, comma-separated)`);
  if (kind === 'kafka') return new KafkajsBus({ brokers, clientId, logger, handlerRetryMs, security });
  if (kind === 'rdkafka') return new RdkafkaBus({ brokers, clientId, logger, handlerRetryMs, security });
  throw new VigilError('VIGIL_CONFIG', `unknown bus kind ${String(kind)}: expected memory, kafka or rdkafka`);
}

/**
 * The bus the environment configures: VIGIL_BUS, KAFKA_BROKERS and the SASL/TLS variables (checked
 * together even for the memory bus, so a mistake shows before the switch to Kafka).
 */
export function createBusFromConfig(config: CommonConfig, options: { clientId: string; logger?: BusLogger; handlerRetryMs?: number }): Bus {
  const security = kafkaSecurityFromConfig(config);
  if (config.VIGIL_BUS !== 'memory') options.logger?.info({ brokers: config.KAFKA_BROKERS, security: describeKafkaSecurity(security) }, 'kafka connection settings');
  return createBus({ kind: config.VIGIL_BUS, brokers: config.KAFKA_BROKERS, security, ...options });
}
