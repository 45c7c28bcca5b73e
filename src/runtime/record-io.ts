/**
 * Typed records over the bus: publish encodes with the topic's codec and counts what was
 * acknowledged; subscribe decodes, dead-letters what cannot be decoded or handled, and counts.
 */
import type { Bus, Headers, IncomingRecord, Subscription } from '../bus/bus.js';
import { consume } from '../bus/record-consumer.js';
import type { TopicRecords } from '../codec/codecs.js';
import { singleObjectWireFormat, type WireFormat } from '../codec/wire-format.js';
import type { Topic } from '../codec/schemas.js';
import type { Logger } from './logger.js';
import type { PipelineMetrics } from './metrics.js';

export interface RecordSubscribeOptions<T extends Topic> {
  topic: T;
  group: string;
  handler: (record: TopicRecords[T], meta: IncomingRecord) => Promise<void>;
  retainFrom?: (partition: number) => string | undefined;
  onAssignment?: (partitions: number[]) => void;
}

export interface RecordIo {
  publish<T extends Topic>(topic: T, records: { key: string; value: TopicRecords[T]; headers?: Headers }[]): Promise<void>;
  subscribe<T extends Topic>(options: RecordSubscribeOptions<T>): Promise<Subscription>;
}

export interface RecordIoOptions {
  bus: Bus;
  metrics: PipelineMetrics;
  service: string;
  logger?: Logger;
  clock?: () => number;
  /** Prepended to every topic name on the bus (VIGIL_TOPIC_PREFIX). */
  topicPrefix?: string;
  /**
   * Framing of record values (wireFormatFromConfig: registry framing when VIGIL_SCHEMA_REGISTRY_URL
   * is set, prepared before the first publish). Default: single-object encoding.
   */
  wireFormat?: WireFormat;
}

export function createRecordIo(options: RecordIoOptions): RecordIo {
  const { bus, metrics, service, logger } = options;
  const prefix = options.topicPrefix ?? '';
  const clock = options.clock ?? Date.now;
  const wire = options.wireFormat ?? singleObjectWireFormat;
  return {
    async publish(topic, records) {
      if (records.length === 0) return;
      const codec = wire.codec(topic);
      await bus.produce(prefix + topic, records.map((record) => ({ key: record.key, value: codec.encode(record.value), headers: record.headers })));
      metrics.recordOut(prefix + topic, records.length);
    },
    subscribe(subscribeOptions) {
      const codec = wire.codec(subscribeOptions.topic);
      const deadLetters = wire.deadLetterCodec(subscribeOptions.topic);
      return consume({
        bus,
        topic: prefix + subscribeOptions.topic,
        group: subscribeOptions.group,
        service,
        logger,
        decode: (bytes) => codec.decode(bytes),
        encodeDeadLetter: (letter) => deadLetters.encode(letter),
        handler: async (record, meta) => {
          await subscribeOptions.handler(record, meta);
          metrics.consumerLagSeconds(meta.topic, subscribeOptions.group, (clock() - meta.timestampMs) / 1000);
        },
        retainFrom: subscribeOptions.retainFrom,
        onAssignment: subscribeOptions.onAssignment,
        metrics: {
          recordIn: (topic) => metrics.recordIn(topic, subscribeOptions.group),
          deadLettered: (topic, errorCode) => metrics.recordDeadLettered(topic, subscribeOptions.group, errorCode),
          handlerSeconds: (topic, seconds) => metrics.handlerSeconds(topic, subscribeOptions.group, seconds),
        },
      });
    },
  };
}
