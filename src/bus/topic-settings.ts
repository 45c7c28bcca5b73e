/**
 * Every topic Vigil uses, with the settings it is created with: the one catalogue that Vigil's
 * own topic creation (topic-admin.ts), the docker compose topic job and the Helm chart read, so
 * partitions, retention and compaction are written down once.
 *
 * Names carry VIGIL_TOPIC_PREFIX. Each pipeline topic has a dead-letter topic `<topic>.dlq` for
 * records that could not be decoded or handled; it is kept longer so a person has time to look.
 */
import { deadLetterSchemaFile, topicSchemas, topics, type Topic } from '../codec/schemas.js';
import type { CommonConfig } from '../runtime/config.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Kafka topic configs Vigil sets (strings, as the broker takes them). */
export interface TopicConfigs {
  'cleanup.policy': 'delete' | 'compact';
  /** -1 = forever (compacted topics keep the latest record per key). */
  'retention.ms': string;
  /** Compacted topics: how long a superseded record stays readable before compaction may drop it. */
  'min.compaction.lag.ms'?: string;
}

export interface TopicSettings {
  /** Full name on the broker, prefix included. */
  name: string;
  /** The pipeline topic it belongs to (a DLQ names the topic whose records it holds). */
  topic: Topic;
  kind: 'pipeline' | 'dead-letter';
  /** The .avsc file under schemas/ its record values are written with. */
  schemaFile: string;
  partitions: number;
  /** undefined = the broker's default.replication.factor. */
  replicationFactor: number | undefined;
  configs: TopicConfigs;
  /** One line for people: what the topic carries and why these settings. */
  description: string;
}

/** A topic whose records are deleted after `retentionMs`. */
const keptFor = (retentionMs: number): TopicConfigs => ({ 'cleanup.policy': 'delete', 'retention.ms': String(retentionMs) });
/** A compacted topic: the latest record per key stays forever; a superseded one stays readable an hour. */
const compacted: TopicConfigs = { 'cleanup.policy': 'compact', 'retention.ms': '-1', 'min.compaction.lag.ms': String(HOUR_MS) };

/** Retention and cleanup of each pipeline topic; partitions and replication come from configuration. */
export const pipelineTopicPolicies: Record<Topic, { configs: TopicConfigs; description: string }> = {
  'metrics.raw': {
    configs: keptFor(DAY_MS),
    description: 'one record per scrape of one source; the largest topic, kept one day',
  },
  'series.classified': {
    configs: keptFor(DAY_MS),
    description: 'class and features per series, re-sent as series change; kept one day',
  },
  anomalies: {
    configs: keptFor(7 * DAY_MS),
    description: 'anomaly lifecycle events (OPEN, UPDATE, RESOLVED) for downstream subscribers; kept a week',
  },
  'diagnosis.requests': {
    configs: keptFor(3 * DAY_MS),
    description: 'what the diagnoser is asked to explain, with the scene; kept three days',
  },
  'diagnosis.reports': {
    configs: keptFor(30 * DAY_MS),
    description: 'root cause, evidence and repair suggestions; the report store `vigil explain` reads, kept 30 days',
  },
  'health.updates': {
    configs: compacted,
    description: 'health score per entity, keyed by entity: compacted, so the latest score of every entity stays',
  },
  notifications: {
    configs: keptFor(30 * DAY_MS),
    description: 'what was sent, suppressed or failed, to whom (the audit trail); kept 30 days',
  },
  'notifier.silences': {
    configs: compacted,
    description: "the notifier's silences keyed by silence id: compacted, every instance reads it from the beginning",
  },
  'notifier.outbox': {
    configs: keptFor(7 * DAY_MS),
    description: "the notifier's durable outbox and notification log keyed by group; its owner commits it only past finished groups, kept a week",
  },
  'detector.state': {
    configs: compacted,
    description: "the detector's state snapshot per metrics.raw partition (key <group>/<partition>): compacted, the latest snapshot stays",
  },
};

/** Dead-letter topics are kept longer than any pipeline topic, so a bad record can still be looked at. */
export const deadLetterRetentionMs = 90 * DAY_MS;

export interface TopicCatalogueOptions {
  /** VIGIL_TOPIC_PREFIX */
  prefix: string;
  /** VIGIL_TOPIC_PARTITIONS: partitions of each pipeline topic. */
  partitions: number;
  /** VIGIL_TOPIC_REPLICATION_FACTOR; undefined = broker default. */
  replicationFactor?: number;
}

export function deadLetterTopic(topicName: string): string {
  return `${topicName}.dlq`;
}

/** Every topic with its settings: the pipeline topics in pipeline order, then their dead-letter topics. */
export function topicCatalogue(options: TopicCatalogueOptions): TopicSettings[] {
  const { prefix, partitions, replicationFactor } = options;
  const pipeline = topics.map((topic): TopicSettings => ({
    name: prefix + topic,
    topic,
    kind: 'pipeline',
    schemaFile: topicSchemas[topic],
    partitions,
    replicationFactor,
    configs: pipelineTopicPolicies[topic].configs,
    description: pipelineTopicPolicies[topic].description,
  }));
  const deadLetters = topics.map((topic): TopicSettings => ({
    name: deadLetterTopic(prefix + topic),
    topic,
    kind: 'dead-letter',
    schemaFile: deadLetterSchemaFile,
    // Few records, read by people: one partition keeps them in the order they were set aside.
    partitions: 1,
    replicationFactor,
    configs: keptFor(deadLetterRetentionMs),
    description: `records of ${prefix + topic} that could not be decoded or handled, with the reason; kept 90 days`,
  }));
  return [...pipeline, ...deadLetters];
}

/** The catalogue as configured by the environment (VIGIL_TOPIC_PREFIX, VIGIL_TOPIC_PARTITIONS, VIGIL_TOPIC_REPLICATION_FACTOR). */
export function topicCatalogueFromConfig(
  config: Pick<CommonConfig, 'VIGIL_TOPIC_PREFIX' | 'VIGIL_TOPIC_PARTITIONS' | 'VIGIL_TOPIC_REPLICATION_FACTOR'>,
): TopicSettings[] {
  return topicCatalogue({
    prefix: config.VIGIL_TOPIC_PREFIX,
    partitions: config.VIGIL_TOPIC_PARTITIONS,
    replicationFactor: config.VIGIL_TOPIC_REPLICATION_FACTOR,
  });
}

/**
 * Which topic a broker topic name is, given the prefix: the pipeline topic and whether it is its
 * dead-letter topic. undefined for names that are not Vigil's.
 */
export function parseTopicName(name: string, prefix: string): { topic: Topic; deadLetter: boolean } | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  const deadLetter = rest.endsWith('.dlq');
  const topic = deadLetter ? rest.slice(0, -'.dlq'.length) : rest;
  return (topics as string[]).includes(topic) ? { topic: topic as Topic, deadLetter } : undefined;
}
