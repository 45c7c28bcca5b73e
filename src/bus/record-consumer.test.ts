import { describe, expect, it } from 'vitest';
import { deadLetterCodec } from '../codec/codecs.js';
import { VigilError } from '../errors.js';
import type { IncomingRecord } from './bus.js';
import { waitFor } from './conformance.js';
import { MemoryBus } from './memory-bus.js';
import { consume } from './record-consumer.js';
import { deadLetterTopic } from './topic-settings.js';

const decodeText = (value: Buffer): string => value.toString('utf8');

async function deadLetters(bus: MemoryBus, topic: string): Promise<IncomingRecord[]> {
  const letters: IncomingRecord[] = [];
  await bus.subscribe({ topic: deadLetterTopic(topic), group: 'dlq-reader', handler: async (record) => { letters.push(record); } });
  return letters;
}

describe('consume', () => {
  it('dead-letters an error that says retrying cannot help on its first attempt, with its own code', async () => {
    const bus = new MemoryBus({ partitionsPerTopic: 1 });
    const letters = await deadLetters(bus, 't');
    let calls = 0;
    await consume({
      bus, topic: 't', group: 'g', service: 'notifier', decode: decodeText, maxAttempts: 5, retryBackoffMs: 1,
      handler: async () => { calls++; throw new VigilError('VIGIL_CONFIG', 'no receiver configured for this route'); },
    });
    await bus.produce('t', [{ key: 'k', value: Buffer.from('x') }]);
    await waitFor('a dead letter', () => letters.length === 1);
    expect(calls).toBe(1);
    expect(deadLetterCodec().decode(letters[0]!.value!)).toMatchObject({ errorCode: 'VIGIL_CONFIG', attempts: 1, service: 'notifier/g' });
    await bus.close();
  });

  it('never dead-letters a bus failure: the record is handed over again until its outputs are acknowledged', async () => {
    const bus = new MemoryBus({ partitionsPerTopic: 1, handlerRetryMs: 1 });
    const letters = await deadLetters(bus, 't');
    let calls = 0;
    const handled: string[] = [];
    await consume({
      bus, topic: 't', group: 'g', service: 'scorer', decode: decodeText, maxAttempts: 2, retryBackoffMs: 1,
      handler: async (value) => {
        if (++calls <= 4) throw new VigilError('VIGIL_BUS', 'producing to health.updates failed: broker down');
        handled.push(value);
      },
    });
    await bus.produce('t', [{ key: 'k', value: Buffer.from('x') }]);
    await waitFor('the record handled', () => handled.length === 1);
    expect(calls).toBe(5);
    expect(letters).toEqual([]);
    await bus.close();
  });

  it('reports records in, handler time and dead letters through its hooks', async () => {
    const bus = new MemoryBus({ partitionsPerTopic: 1 });
    const events: string[] = [];
    await consume({
      bus, topic: 't', group: 'g', service: 'scorer', decode: (value) => { if (value.length === 0) throw new VigilError('VIGIL_DECODE', 'empty'); return value; },
      handler: async () => {},
      metrics: {
        recordIn: (topic) => events.push(`in ${topic}`),
        handlerSeconds: (topic, seconds) => events.push(`handled ${topic} ${seconds >= 0}`),
        deadLettered: (topic, code) => events.push(`dlq ${topic} ${code}`),
      },
    });
    await bus.produce('t', [{ key: 'k', value: Buffer.from('ok') }, { key: 'k', value: Buffer.alloc(0) }]);
    await waitFor('both records', () => events.length === 4);
    expect(events).toEqual(['in t', 'handled t true', 'in t', 'dlq t VIGIL_DECODE']);
    await bus.close();
  });
});
