import { readFile } from 'node:fs/promises';
import type { MetricBatch } from '../../../src/codec/records.generated.js';
import { VigilError } from '../../../src/errors.js';

/**
 * Reads recorded metrics.raw batches: JSON lines as `vigil collect --format json` and
 * `vigil tail metrics.raw` print them (one MetricBatch per line; blank lines and lines that are not
 * batches — e.g. a tail's decode errors — are skipped and counted). Returned in timestamp order.
 */
export async function readRecording(path: string): Promise<{ batches: MetricBatch[]; skipped: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new VigilError('VIGIL_SOURCE', `cannot read recording ${path}: ${(error as Error).message}`, { cause: error });
  }
  const batches: MetricBatch[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (isMetricBatch(value)) batches.push(value);
    else skipped++;
  }
  batches.sort((a, b) => a.timestampMs - b.timestampMs);
  return { batches, skipped };
}

function isMetricBatch(value: unknown): value is MetricBatch {
  if (typeof value !== 'object' || value === null) return false;
  const batch = value as Partial<MetricBatch>;
  return typeof batch.id === 'string' && typeof batch.cluster === 'string' && typeof batch.node === 'string'
    && typeof batch.source === 'string' && typeof batch.timestampMs === 'number' && Array.isArray(batch.samples)
    && batch.samples.every((sample) => typeof sample?.name === 'string' && typeof sample.value === 'number'
      && typeof sample.labels === 'object' && sample.labels !== null && Object.values(sample.labels).every((label) => typeof label === 'string'));
}

export interface ReplayOptions {
  batches: readonly MetricBatch[];
  /** 1 = real time, 10 = ten times faster, 0 = as fast as the bus takes them. */
  speed: number;
  publish(batches: MetricBatch[]): Promise<void>;
  sleep(ms: number): Promise<void>;
}

/**
 * Publishes batches with their recorded timestamps, keeping the recorded gaps divided by speed.
 * Batches with the same timestamp go out together. Returns how many were published.
 */
export async function replay({ batches, speed, publish, sleep }: ReplayOptions): Promise<number> {
  let published = 0;
  for (let start = 0; start < batches.length;) {
    const timestampMs = batches[start]!.timestampMs;
    let stop = start;
    while (stop < batches.length && batches[stop]!.timestampMs === timestampMs) stop++;
    await publish(batches.slice(start, stop));
    published += stop - start;
    const next = batches[stop];
    if (next && speed > 0) await sleep((next.timestampMs - timestampMs) / speed);
    start = stop;
  }
  return published;
}
