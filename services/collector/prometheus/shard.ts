import type { Sample } from '../../../src/codec/records.generated.js';
import type { SourceBatch } from '../source.js';

/** A batch stays well under a Kafka message (see Source in ../source.ts). */
export const maxSamplesPerBatch = 5_000;

/** `name{a="1",b="2"}` with labels sorted: the identity of a series. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return name;
  keys.sort();
  let key = `${name}{`;
  for (const label of keys) key += `${label}=${JSON.stringify(labels[label])},`;
  return `${key}}`;
}

/** 32-bit FNV-1a of a string's UTF-16 code units: cheap, stable across runs and machines. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * One batch named `source` when the samples fit, else `<source>.<k>` for k < a power of two, each
 * series placed by the hash of its series key. The shard count depends only on the number of
 * samples and changes only when it crosses a power of two, so a series stays in the same batch
 * from one scrape to the next and the detector sees stable sources.
 */
export function shardSamples(source: string, samples: Sample[], maxSamples = maxSamplesPerBatch): SourceBatch[] {
  if (samples.length <= maxSamples) return [{ source, samples }];
  const hashes = samples.map((sample) => fnv1a(seriesKey(sample.name, sample.labels)));
  // Aim at half the limit so the hash's unevenness stays under it; double while a shard overflows.
  for (let shardCount = 2 ** Math.ceil(Math.log2(samples.length / (maxSamples / 2))); ; shardCount *= 2) {
    const shards: Sample[][] = Array.from({ length: shardCount }, () => []);
    samples.forEach((sample, index) => shards[(hashes[index] ?? 0) % shardCount]?.push(sample));
    if (shards.every((shard) => shard.length <= maxSamples) || shardCount >= samples.length) {
      return shards.map((shardSamples, k) => ({ source: `${source}.${k}`, samples: shardSamples }));
    }
  }
}
