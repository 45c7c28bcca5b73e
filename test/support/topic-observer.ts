/** A downstream subscriber, as a platform team would run one: decodes a topic and keeps what it saw. */
import type { Bus, Subscription } from '../../src/bus/bus.js';
import { codecFor, type TopicRecords } from '../../src/codec/codecs.js';
import type { Topic } from '../../src/codec/schemas.js';

export interface TopicObserver<T> {
  readonly records: T[];
  waitFor(match: (record: T) => boolean, timeoutMs: number): Promise<T>;
  close(): Promise<void>;
}

export async function observeTopic<K extends Topic>(bus: Bus, topic: K, options: { prefix?: string; group: string }): Promise<TopicObserver<TopicRecords[K]>> {
  const codec = codecFor(topic);
  const records: TopicRecords[K][] = [];
  const waiters = new Set<{ match: (record: TopicRecords[K]) => boolean; resolve: (record: TopicRecords[K]) => void }>();
  const subscription: Subscription = await bus.subscribe({
    topic: (options.prefix ?? '') + topic,
    group: options.group,
    fromBeginning: true,
    handler: async (incoming) => {
      if (!incoming.value) return;
      const record = codec.decode(incoming.value);
      records.push(record);
      for (const waiter of waiters) {
        if (waiter.match(record)) {
          waiters.delete(waiter);
          waiter.resolve(record);
        }
      }
    },
  });
  return {
    records,
    waitFor(match, timeoutMs) {
      const already = records.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (record: TopicRecords[K]) => { clearTimeout(timer); resolve(record); } };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching ${topic} record within ${timeoutMs} ms (saw ${records.length})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => subscription.close(),
  };
}
