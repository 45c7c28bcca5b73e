/**
 * The behaviour every Bus implementation must share, as one vitest suite: run it with a factory for
 * each implementation (src/bus/conformance.test.ts). Topic and group names are unique per test, as
 * the Kafka broker is shared by every test file.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deadLetterCodec } from '../codec/codecs.js';
import { singleObjectCodec } from '../codec/single-object.js';
import type { DeadLetter } from '../codec/records.generated.js';
import type { Bus, IncomingRecord, SubscribeOptions, Subscription } from './bus.js';
import { partitionForKey } from './murmur2.js';
import { consume } from './record-consumer.js';
import { deadLetterTopic } from './topic-settings.js';

/** Makes a connected bus. `handlerRetryMs` is how soon a rejected record is handed over again. */
export type BusFactory = (options: { handlerRetryMs: number }) => Promise<Bus>;

/** Partitions of an auto-created topic, on the memory bus and on the Kafka mock broker alike. */
const PARTITIONS = 4;
const WAIT_MS = 45_000;

interface Probe {
  n: number;
}
const probeCodec = singleObjectCodec<Probe>({ type: 'record', name: 'Probe', namespace: 'io.vigil.test', fields: [{ name: 'n', type: 'int' }] });

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Polls `condition` until it holds; fails the test naming `what` if it never does. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function text(record: IncomingRecord): string {
  return record.value?.toString('utf8') ?? '';
}

/** Buses and subscriptions of one test, closed when the test ends (tests run concurrently). */
function harness(createBus: BusFactory, onTestFinished: (fn: () => Promise<void>) => void) {
  const buses: Bus[] = [];
  const subscriptions: Subscription[] = [];
  onTestFinished(async () => {
    await Promise.allSettled(subscriptions.splice(0).map((subscription) => subscription.close()));
    await Promise.allSettled(buses.splice(0).map((created) => created.close()));
  });

  async function subscribe(target: Bus, options: SubscribeOptions): Promise<Subscription> {
    const subscription = await target.subscribe(options);
    subscriptions.push(subscription);
    return subscription;
  }

  return {
    async bus(handlerRetryMs = 50): Promise<Bus> {
      const created = await createBus({ handlerRetryMs });
      buses.push(created);
      return created;
    },
    subscribe,
    track(subscription: Subscription): void {
      subscriptions.push(subscription);
    },
    /** Subscribes a collector of everything that arrives on `topic`. */
    async collect(target: Bus, topic: string, group = uniqueName('collect')): Promise<IncomingRecord[]> {
      const seen: IncomingRecord[] = [];
      await subscribe(target, { topic, group, handler: async (record) => { seen.push(record); } });
      return seen;
    },
  };
}

export function busConformance(kind: string, createBus: BusFactory): void {
  // Tests share nothing but the broker, so they run concurrently: most of their time is group joins.
  describe.concurrent(`${kind} bus conformance`, () => {
    it('keeps order per key, and puts a key in the partition the Java client would', async ({ onTestFinished }) => {
      const { bus, subscribe, collect, track } = harness(createBus, onTestFinished);
      const target = await bus();
      const topic = uniqueName('order');
      const keys = ['prod/node-1', 'prod/node-2', 'staging/node-7'];
      for (let batch = 0; batch < 5; batch++) {
        await target.produce(topic, keys.flatMap((key) =>
          Array.from({ length: 20 }, (_, i) => ({ key, value: Buffer.from(`${key}#${batch * 20 + i}`) }))));
      }
      const seen = await collect(target, topic);
      await waitFor('300 records', () => seen.length >= 300);

      expect(seen).toHaveLength(300);
      for (const key of keys) {
        const ofKey = seen.filter((record) => record.key?.toString() === key);
        expect(ofKey.map((record) => Number(text(record).split('#')[1]))).toEqual(Array.from({ length: 100 }, (_, i) => i));
        expect(new Set(ofKey.map((record) => record.partition))).toEqual(new Set([partitionForKey(Buffer.from(key), PARTITIONS)]));
        const offsets = ofKey.map((record) => BigInt(record.offset));
        expect(offsets.every((offset, i) => i === 0 || offset > offsets[i - 1]!)).toBe(true);
      }
    });

    it('round-trips key, value and headers', async ({ onTestFinished }) => {
      const { bus, subscribe, collect, track } = harness(createBus, onTestFinished);
      const target = await bus();
      const topic = uniqueName('headers');
      const value = Buffer.from([0xc3, 0x01, 0x00, 0xff, 0x10]);
      await target.produce(topic, [
        { key: 'prod/node-1', value, headers: { 'vigil-trace-id': 'abc123', 'content-type': 'avro/binary' } },
        { key: 'prod/node-1', value: Buffer.from('no headers') },
      ]);
      const seen = await collect(target, topic);
      await waitFor('2 records', () => seen.length >= 2);

      expect(seen[0]!.topic).toBe(topic);
      expect(seen[0]!.key?.toString()).toBe('prod/node-1');
      expect(seen[0]!.value).toEqual(value);
      expect(seen[0]!.headers).toEqual({ 'vigil-trace-id': 'abc123', 'content-type': 'avro/binary' });
      expect(seen[0]!.timestampMs).toBeGreaterThan(Date.parse('2020-01-01'));
      expect(seen[1]!.headers).toEqual({});
    });

    it('splits partitions between two members of a group, and gives all to one when the other leaves', async ({ onTestFinished }) => {
      const { bus, subscribe, collect, track } = harness(createBus, onTestFinished);
      const target = await bus();
      const topic = uniqueName('split');
      const group = uniqueName('group');
      await target.produce(topic, [{ key: 'warm-up', value: Buffer.from('0') }]);
      const byA: IncomingRecord[] = [];
      const byB: IncomingRecord[] = [];
      const a = await subscribe(target, { topic, group, handler: async (record) => { byA.push(record); } });
      await waitFor('a to own every partition', () => a.assignment().length === PARTITIONS);
      const b = await subscribe(target, { topic, group, handler: async (record) => { byB.push(record); } });
      await waitFor('a and b to split the partitions', () =>
        a.assignment().length > 0 && b.assignment().length > 0 && a.assignment().length + b.assignment().length === PARTITIONS);

      expect([...a.assignment(), ...b.assignment()].sort()).toEqual([0, 1, 2, 3]);
      const keys = Array.from({ length: 40 }, (_, i) => `node-${i}`);
      await target.produce(topic, keys.map((key) => ({ key, value: Buffer.from(`split:${key}`) })));
      const split = (records: IncomingRecord[]): IncomingRecord[] => records.filter((record) => text(record).startsWith('split:'));
      await waitFor('40 records between a and b', () => split(byA).length + split(byB).length >= 40);
      expect(split(byA).every((record) => a.assignment().includes(record.partition))).toBe(true);
      expect(split(byB).every((record) => b.assignment().includes(record.partition))).toBe(true);
      expect(split(byB).length).toBeGreaterThan(0);

      await b.close();
      await waitFor('a to own every partition again', () => a.assignment().length === PARTITIONS);
      await target.produce(topic, keys.map((key) => ({ key, value: Buffer.from(`after:${key}`) })));
      await waitFor('a to get all 40 records after b left', () =>
        new Set(byA.map(text).filter((value) => value.startsWith('after:'))).size >= 40);
    });

    it('reports a partition to onAssignment before its first record reaches the handler, across a rebalance', async ({ onTestFinished }) => {
      const { bus, subscribe } = harness(createBus, onTestFinished);
      const target = await bus();
      const topic = uniqueName('assigned');
      const group = uniqueName('group');
      const keys = Array.from({ length: 40 }, (_, i) => `node-${i}`);
      await target.produce(topic, keys.map((key) => ({ key, value: Buffer.from(`before:${key}`) })));
      // Handlers that take a moment, so a rebalance finds records in hand.
      const member = () => {
        let reported: number[] = [];
        const handled: string[] = [];
        const unreported: string[] = [];
        const options = {
          topic, group,
          onAssignment: (partitions: number[]) => { reported = partitions; },
          handler: async (record: IncomingRecord) => {
            if (!reported.includes(record.partition)) unreported.push(`${record.partition}:${record.offset}`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            handled.push(text(record));
          },
        };
        return { options, handled, unreported };
      };
      const a = member();
      const b = member();
      const subscriptionA = await subscribe(target, a.options);
      await waitFor('a to handle a first record', () => a.handled.length > 0);
      const subscriptionB = await subscribe(target, b.options);
      await waitFor('a and b to split the partitions', () =>
        subscriptionA.assignment().length > 0 && subscriptionB.assignment().length > 0);
      await target.produce(topic, keys.map((key) => ({ key, value: Buffer.from(`after:${key}`) })));
      await waitFor('every record after the split', () => new Set([...a.handled, ...b.handled].filter((v) => v.startsWith('after:'))).size >= 40);

      expect(a.unreported).toEqual([]);
      expect(b.unreported).toEqual([]);
    });

    it('redelivers records handled but not committed to the next member, and not committed ones only', async ({ onTestFinished }) => {
      const { bus, subscribe, collect, track } = harness(createBus, onTestFinished);
      const target = await bus();
      const topic = uniqueName('redeliver');
      const group = uniqueName('group');
      const values = Array.from({ length: 20 }, (_, i) => `r${i}`);
      await target.produce(topic, values.map((value, i) => ({ key: `k${i % 5}`, value: Buffer.from(value) })));

      const byA: string[] = [];
      const a = await subscribe(target, { topic, group, commitIntervalMs: 0, handler: async (record) => { byA.push(text(record)); } });
      await waitFor('a to handle 20 records', () => byA.length >= 20);
      await a.close({ commit: false });

      const byB: string[] = [];
      const b = await subscribe(target, { topic, group, commitIntervalMs: 0, handler: async (record) => { byB.push(text(record)); } });
      await waitFor('b to get the 20 records again', () => byB.length >= 20);
      expect(new Set(byB)).toEqual(new Set(values));
      await b.commit();
      await b.close();

      const byC: string[] = [];
      await subscribe(target, { topic, group, handler: async (record) => { byC.push(text(record)); } });
      await target.produce(topic, [{ key: 'k0', value: Buffer.from('after-commit') }]);
      await waitFor('c to get the new record', () => byC.includes('after-commit'));
      expect(byC).toEqual(['after-commit']);
    });

    it('commits no further than retainFrom allows', async ({ onTestFinished }) => {
      const { bus, subscribe, collect, track } = harness(createBus, onTestFinished);
      const target = await bus();
      const topic = uniqueName('retain');
      const group = uniqueName('group');
      await target.produce(topic, Array.from({ length: 10 }, (_, i) => ({ key: 'one-key', value: Buffer.from(`v${i}`) })));
      const partition = partitionForKey(Buffer.from('one-key'), PARTITIONS);

      const byA: IncomingRecord[] = [];
      const a = await subscribe(target, {
        topic, group, handler: async (record) => { byA.push(record); },
        retainFrom: (p) => (p === partition ? byA[6]?.offset : undefined),
      });
      await waitFor('a to handle 10 records', () => byA.length >= 10);
      await a.close();

      const byB: string[] = [];
      await subscribe(target, { topic, group, handler: async (record) => { byB.push(text(record)); } });
      await waitFor('b to get the retained records', () => byB.length >= 4);
      expect(byB).toEqual(['v6', 'v7', 'v8', 'v9']);
    });

    it('hands a record whose handler rejected to the handler again, without skipping it', async ({ onTestFinished }) => {
      const { bus, subscribe, collect, track } = harness(createBus, onTestFinished);
      const target = await bus();
      const topic = uniqueName('reject');
      await target.produce(topic, ['a', 'b', 'c'].map((value) => ({ key: 'one-key', value: Buffer.from(value) })));
      const calls: string[] = [];
      let failuresLeft = 2;
      await subscribe(target, {
        topic, group: uniqueName('group'),
        handler: async (record) => {
          calls.push(text(record));
          if (text(record) === 'b' && failuresLeft-- > 0) throw new Error('not yet');
        },
      });
      await waitFor('c to be handled', () => calls.includes('c'));
      expect(calls).toEqual(['a', 'b', 'b', 'b', 'c']);
    });

    it('sets a record that cannot be decoded aside in <topic>.dlq and goes on', async ({ onTestFinished }) => {
      const { bus, subscribe, collect, track } = harness(createBus, onTestFinished);
      const target = await bus();
      const topic = uniqueName('decode');
      const garbage = Buffer.from('{"n": 1}');
      await target.produce(topic, [
        { key: 'prod/node-1', value: probeCodec.encode({ n: 0 }) },
        { key: 'prod/node-1', value: garbage, headers: { 'vigil-source': 'test' } },
        { key: 'prod/node-1', value: probeCodec.encode({ n: 2 }) },
      ]);
      const handled: number[] = [];
      const deadLettered: string[] = [];
      await consume({
        bus: target, topic, group: uniqueName('group'), service: 'detector', decode: (value) => probeCodec.decode(value),
        handler: async (probe) => { handled.push(probe.n); },
        metrics: { deadLettered: (_topic, code) => deadLettered.push(code) },
      }).then(track);
      const letters = await collect(target, deadLetterTopic(topic));
      await waitFor('both good records and a dead letter', () => handled.length >= 2 && letters.length >= 1);

      expect(handled).toEqual([0, 2]);
      expect(deadLettered).toEqual(['VIGIL_DECODE']);
      expect(letters[0]!.key?.toString()).toBe('prod/node-1');
      const letter: DeadLetter = deadLetterCodec().decode(letters[0]!.value!);
      expect(letter).toMatchObject({
        topic, partition: partitionForKey(Buffer.from('prod/node-1'), PARTITIONS), errorCode: 'VIGIL_DECODE', attempts: 1,
        headers: { 'vigil-source': 'test' }, value: garbage, key: Buffer.from('prod/node-1'),
      });
      expect(letter.error).toContain('not an Avro single-object record');
      expect(letter.service).toContain('detector');
      expect(BigInt(letter.offset)).toBeGreaterThanOrEqual(0n);
    });

    it('retries a handler that keeps throwing a bounded number of times, then dead-letters the record', async ({ onTestFinished }) => {
      const { bus, subscribe, collect, track } = harness(createBus, onTestFinished);
      const target = await bus();
      const topic = uniqueName('poison');
      await target.produce(topic, [0, 1, 2].map((n) => ({ key: 'prod/node-1', value: probeCodec.encode({ n }) })));
      const attempts = new Map<number, number>();
      const handled: number[] = [];
      await consume({
        bus: target, topic, group: uniqueName('group'), service: 'scorer', decode: (value) => probeCodec.decode(value),
        maxAttempts: 3, retryBackoffMs: 1,
        handler: async (probe) => {
          attempts.set(probe.n, (attempts.get(probe.n) ?? 0) + 1);
          if (probe.n === 1) throw new Error('health model rejected the record');
          handled.push(probe.n);
        },
      }).then(track);
      const letters = await collect(target, deadLetterTopic(topic));
      await waitFor('the records after the poison one and a dead letter', () => handled.length >= 2 && letters.length >= 1);

      expect(handled).toEqual([0, 2]);
      expect(attempts.get(1)).toBe(3);
      const letter = deadLetterCodec().decode(letters[0]!.value!);
      expect(letter).toMatchObject({ topic, errorCode: 'VIGIL_HANDLER', attempts: 3, error: 'health model rejected the record' });
      expect(probeCodec.decode(letter.value!)).toEqual({ n: 1 });
    });
  });
}
