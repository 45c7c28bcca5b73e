/**
 * Creates the topics of the catalogue (topic-settings.ts) that the broker does not have yet, with
 * their partitions, replication, retention and cleanup.policy. Existing topics are left as they
 * are (Vigil never changes a topic someone else may have tuned).
 *
 * Tolerant by design: a broker that refuses (no CreateTopics ACL, or librdkafka's mock cluster,
 * which has no controller for kafkajs' admin) gets a warning, and the topics come from the
 * broker's auto-creation or from whoever manages them (the compose topic job, the Helm chart, an
 * operator). Uses kafkajs' admin client for both buses: librdkafka's admin waits out its whole
 * timeout on brokers that do not answer CreateTopics.
 */
import kafkajs from 'kafkajs';
import { silentLogger, type BusLogger } from './bus.js';
import { kafkajsSecurityOptions, type KafkaSecurity } from './kafka-security.js';
import type { TopicSettings } from './topic-settings.js';

const { Kafka, logLevel } = kafkajs;

export interface CreateMissingTopicsOptions {
  brokers: string[];
  clientId: string;
  security?: KafkaSecurity;
  topics: TopicSettings[];
  logger?: BusLogger;
  /** How long the broker may take to create them. Default 10000. */
  timeoutMs?: number;
}

export interface TopicCreation {
  /** Topics this call created. */
  created: string[];
  /** Topics that were there already. */
  existing: string[];
  /** Set when the broker refused or could not be asked: why. */
  failed?: string;
}

export async function createMissingTopics(options: CreateMissingTopicsOptions): Promise<TopicCreation> {
  const logger = options.logger ?? silentLogger;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurityOptions(options.security ?? {}),
  });
  const admin = kafka.admin();
  const wanted = options.topics.map((topic) => topic.name);
  let existing: string[] = [];
  try {
    await admin.connect();
    const present = new Set(await admin.listTopics());
    existing = wanted.filter((name) => present.has(name));
    const missing = options.topics.filter((topic) => !present.has(topic.name));
    if (missing.length === 0) return { created: [], existing };
    await admin.createTopics({
      waitForLeaders: true,
      timeout: options.timeoutMs ?? 10_000,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: topic.replicationFactor ?? -1,
        configEntries: Object.entries(topic.configs).map(([name, value]) => ({ name, value: String(value) })),
      })),
    });
    const created = missing.map((topic) => topic.name);
    logger.info({ topics: created }, 'created topics');
    return { created, existing };
  } catch (error) {
    const failed = (error as Error)?.message ?? String(error);
    logger.warn({ err: error, topics: wanted.filter((name) => !existing.includes(name)) },
      'could not create topics; relying on the broker\'s auto-creation or on topics created by whoever manages them (VIGIL_TOPIC_CREATE=false silences this)');
    return { created: [], existing, failed };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
