/**
 * What a Vigil process does once at start, after the bus connected and before it produces:
 * create the missing topics of the catalogue (VIGIL_TOPIC_CREATE, kafka and rdkafka buses) and
 * register every schema with the Schema Registry (when VIGIL_SCHEMA_REGISTRY_URL is set).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WireFormat } from '../codec/wire-format.js';
import { VigilError } from '../errors.js';
import type { CommonConfig } from '../runtime/config.js';
import { silentLogger, type Bus, type BusLogger } from './bus.js';
import { kafkaSecurityFromConfig } from './kafka-security.js';
import { createMissingTopics } from './topic-admin.js';
import { topicCatalogueFromConfig } from './topic-settings.js';

export interface PrepareTopicsOptions {
  config: CommonConfig;
  busKind: Bus['kind'];
  wireFormat: WireFormat;
  clientId: string;
  logger?: BusLogger;
  /** Stops the registry retries (the process is closing). */
  signal?: AbortSignal;
}

export async function prepareTopics(options: PrepareTopicsOptions): Promise<void> {
  const { config, busKind, wireFormat, clientId, signal } = options;
  const logger = options.logger ?? silentLogger;
  if (busKind !== 'memory' && config.VIGIL_TOPIC_CREATE) {
    await createMissingTopics({
      brokers: config.KAFKA_BROKERS, clientId, security: kafkaSecurityFromConfig(config), topics: topicCatalogueFromConfig(config), logger,
    });
  }
  // A registry that is down is waited for (capped backoff); one that refuses a schema stops the start.
  for (let attempt = 1; ; attempt++) {
    try {
      await wireFormat.prepare();
      if (wireFormat.framing === 'schema-registry') logger.info({}, 'schemas registered with the Schema Registry');
      return;
    } catch (error) {
      if (!(error instanceof VigilError) || !error.retriable || signal?.aborted) throw error;
      const delayMs = Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 6));
      logger.warn({ err: error, attempt, retryInMs: delayMs }, 'schema registry not reachable, retrying');
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      if (signal?.aborted) throw error;
    }
  }
}
