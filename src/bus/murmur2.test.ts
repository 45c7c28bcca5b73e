import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './murmur2.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer) => number;

describe('murmur2', () => {
  // Vectors from Apache Kafka's UtilsTest.testMurmur2.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s like the Java client', (key, hash) => {
    expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('agrees with kafkajs DefaultPartitioner on cluster/node keys of every length', () => {
    for (let i = 0; i < 200; i++) {
      const key = Buffer.from(`cluster-${i % 7}/node-${'x'.repeat(i % 9)}${i}`);
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }
  });

  it('maps keys to partitions in range', () => {
    expect(partitionForKey(Buffer.from('prod/node-1'), 4)).toBe((murmur2(Buffer.from('prod/node-1')) & 0x7fffffff) % 4);
    expect(partitionForKey(Buffer.from('foobar'), 1)).toBe(0);
  });
});
