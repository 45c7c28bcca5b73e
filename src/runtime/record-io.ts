/**
 * Typed records over the bus: publish encodes with the topic's codec and counts what was
 * acknowledged; subscribe decodes, dead-letters what cannot be decoded or handled, and counts.
 */
import type { Bus, Headers, IncomingRecord, Subscription } from '../bus/bus.js';
import { consume } from '../bus/record-consumer.js';
import { codecFor, type TopicRecords } from '../codec/codecs.js';
import type { Topic } from '../codec/schemas.js';
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

export function createRecordIo(options: { bus: Bus; metrics: PipelineMetrics; service: string; clock?: () => number }): RecordIo {
  const { bus, metrics, service } = options;
  const clock = options.clock ?? Date.now;
  return {
    async publish(topic, records) {
      if (records.length === 0) return;
      const codec = codecFor(topic);
      await bus.produce(topic, records.map((record) => ({ key: record.key, value: codec.encode(record.value), headers: record.headers })));
      metrics.recordOut(topic, records.length);
    },
    subscribe(subscribeOptions) {
      const codec = codecFor(subscribeOptions.topic);
      return consume({
        bus,
        topic: subscribeOptions.topic,
        group: subscribeOptions.group,
        service,
        decode: (bytes) => codec.decode(bytes),
        handler: async (record, meta) => {
          const started = performance.now();
          await subscribeOptions.handler(record, meta);
          metrics.handlerSeconds(meta.topic, subscribeOptions.group, (performance.now() - started) / 1000);
          metrics.consumerLagSeconds(meta.topic, subscribeOptions.group, (clock() - meta.timestampMs) / 1000);
        },
        retainFrom: subscribeOptions.retainFrom,
        onAssignment: subscribeOptions.onAssignment,
        onRecord: (meta) => metrics.recordIn(meta.topic, subscribeOptions.group),
        onDeadLetter: (meta, errorCode) => metrics.recordDeadLettered(meta.topic, subscribeOptions.group, errorCode),
      });
    },
  };
}
