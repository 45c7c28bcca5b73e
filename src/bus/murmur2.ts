/**
 * Kafka's default partitioner for keyed records: murmur2 of the key bytes, as the Java client (and
 * kafkajs' DefaultPartitioner, and librdkafka's `murmur2_random`) compute it, so a key lands in the
 * same partition on every bus.
 */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  switch (length & 3) {
    case 3:
      h ^= data[length4 + 2]! << 16;
    // falls through
    case 2:
      h ^= data[length4 + 1]! << 8;
    // falls through
    case 1:
      h ^= data[length4]!;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's Java client picks for a key: `toPositive(murmur2(key)) % partitions`. */
export function partitionForKey(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
