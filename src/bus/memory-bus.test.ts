import { describe, expect, it } from 'vitest';
import type { IncomingRecord } from './bus.js';
import { waitFor } from './conformance.js';
import { MemoryBus } from './memory-bus.js';
import { partitionForKey } from './murmur2.js';

describe('MemoryBus', () => {
  it('creates topics with the partition count configured for them', async () => {
    const bus = new MemoryBus({ topicPartitions: { wide: 8 } });
    const seen: IncomingRecord[] = [];
    const subscription = await bus.subscribe({ topic: 'wide', group: 'g', handler: async (record) => { seen.push(record); } });
    expect(subscription.assignment()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const keys = Array.from({ length: 30 }, (_, i) => `prod/node-${i}`);
    await bus.produce('wide', keys.map((key) => ({ key, value: Buffer.from(key) })));
    await waitFor('30 records', () => seen.length === 30);
    for (const record of seen) expect(record.partition).toBe(partitionForKey(record.key!, 8));
    await bus.close();
  });

  it('drops the oldest records past its retention, and a new group starts at the oldest kept', async () => {
    const bus = new MemoryBus({ partitionsPerTopic: 1, retentionBytesPerPartition: 1000 });
    await bus.produce('t', Array.from({ length: 20 }, (_, i) => ({ key: 'k', value: Buffer.alloc(100, i) })));
    const offsets: number[] = [];
    await bus.subscribe({ topic: 't', group: 'late', handler: async (record) => { offsets.push(Number(record.offset)); } });
    await waitFor('the last record', () => offsets.includes(19));
    expect(offsets[0]).toBeGreaterThan(0);
    expect(offsets.length).toBeLessThanOrEqual(10);
    expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => offsets[0]! + i));
    await bus.close();
  });

  it('commits what a member handled when it leaves, as the committed offset of its group', async () => {
    const bus = new MemoryBus({ partitionsPerTopic: 1 });
    await bus.produce('t', [{ key: 'k', value: Buffer.from('a') }, { key: 'k', value: Buffer.from('b') }]);
    let handled = 0;
    const subscription = await bus.subscribe({ topic: 't', group: 'g', commitIntervalMs: 0, handler: async () => { handled++; } });
    await waitFor('two records', () => handled === 2);
    expect(bus.committedOffset('g', 't', 0)).toBeUndefined();
    await subscription.close();
    expect(bus.committedOffset('g', 't', 0)).toBe('2');
    await bus.close();
  });

  it('refuses to produce once closed', async () => {
    const bus = new MemoryBus();
    await bus.close();
    await expect(bus.produce('t', [{ key: 'k', value: Buffer.from('x') }])).rejects.toMatchObject({ code: 'VIGIL_BUS' });
  });
});
