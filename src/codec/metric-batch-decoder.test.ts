import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { decodeMetricBatchBody, metricBatchCanonicalForm } from './metric-batch-decoder.js';
import { encodeMetricBatchInBlocks, randomMetricBatch, realisticMetricBatch, seededRandom, successiveScrapes } from './metric-batch.fixtures.js';
import { codecFor } from './codecs.js';
import { canonicalForm } from './single-object.js';
import { readSchema } from './schemas.js';
import { VigilError } from '../errors.js';
import type { MetricBatch } from './records.generated.js';

const avscType = avsc.Type.forSchema(readSchema('metrics.raw.avsc') as avsc.Schema);

/** avsc's decode as plain data, with key order kept, so toStrictEqual compares values, order and NaN/-0. */
function plain(batch: unknown): unknown {
  return JSON.parse(JSON.stringify(batch, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? `number:${value}` : Object.is(value, -0) ? 'number:-0' : value));
}

function expectSameAsAvsc(body: Buffer): void {
  const expected = avscType.fromBuffer(body) as MetricBatch;
  const actual = decodeMetricBatchBody(body);
  expect(plain(actual)).toStrictEqual(plain(expected));
  expect(actual.samples.map((s) => Object.keys(s.labels))).toStrictEqual(expected.samples.map((s) => Object.keys(s.labels)));
}

describe('decodeMetricBatchBody', () => {
  it('is written for the current schemas/metrics.raw.avsc (update metric-batch-decoder.ts with the schema)', () => {
    expect(canonicalForm(avscType)).toBe(metricBatchCanonicalForm);
  });

  it('decodes realistic scrapes exactly like avsc, first seen and cached', () => {
    for (let seed = 0; seed < 50; seed++) {
      const body = avscType.toBuffer(realisticMetricBatch(seed));
      expectSameAsAvsc(body);
      expectSameAsAvsc(body);
    }
  });

  it('decodes random batches exactly like avsc: non-ASCII, empty and long strings, empty maps, extreme values', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const body = avscType.toBuffer(randomMetricBatch(random));
      expectSameAsAvsc(body);
      expectSameAsAvsc(Buffer.from(body)); // a second buffer with the same bytes hits the caches
    }
  });

  it('reads arrays and maps written in blocks with negative counts and byte sizes, like avsc', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      const batch = i % 2 ? randomMetricBatch(random) : realisticMetricBatch(i);
      const body = encodeMetricBatchInBlocks(batch, 1 + (i % 4));
      expect(body.equals(avscType.toBuffer(batch))).toBe(batch.samples.length === 0); // blocks change the bytes, not the record
      expectSameAsAvsc(body);
    }
  });

  it('keeps the last value of a repeated label key, like avsc', () => {
    const body = encodeMetricBatchInBlocks({ ...realisticMetricBatch(1), samples: [] }, 1);
    // samples: one block of one sample whose map holds pid twice
    const sample = Buffer.concat([Buffer.from([0x02, 0x02, 0x61]), Buffer.from([0x04, 0x06, ...Buffer.from('pid'), 0x02, 0x31, 0x06, ...Buffer.from('pid'), 0x02, 0x32, 0x00]), Buffer.alloc(8), Buffer.from([0x00])]);
    const withSample = Buffer.concat([body.subarray(0, body.length - 1), sample]);
    expectSameAsAvsc(withSample);
    expect(decodeMetricBatchBody(withSample).samples[0]!.labels).toEqual({ pid: '2' });
  });

  it('shares frozen label maps between samples with the same labels', () => {
    const batch = realisticMetricBatch(3);
    batch.samples = [batch.samples[2]!, { ...batch.samples[2]!, value: 1 }, batch.samples[0]!];
    const decoded = decodeMetricBatchBody(avscType.toBuffer(batch));
    expect(decoded.samples[0]!.labels).toBe(decoded.samples[1]!.labels);
    expect(Object.isFrozen(decoded.samples[0]!.labels)).toBe(true);
    expect(Object.isFrozen(decoded.samples[2]!.labels)).toBe(true);
  });

  it('decodes successive scrapes of one source exactly like avsc while series come, go and move', () => {
    const random = seededRandom(99);
    let previous = realisticMetricBatch(0);
    for (let scrape = 0; scrape < 300; scrape++) {
      // Each scrape edits the previous one: values move, a sample is dropped, inserted, relabelled or renamed.
      const samples = previous.samples.map((sample) => ({ ...sample, value: sample.value + random() }));
      const at = Math.floor(random() * samples.length);
      const edit = Math.floor(random() * 5);
      if (edit === 0) samples.splice(at, 1);
      if (edit === 1) samples.splice(at, 0, { name: 'process_rss_bytes', labels: { pid: String(scrape), comm: 'new' }, value: scrape });
      if (edit === 2 && samples[at]) samples[at] = { ...samples[at]!, labels: { ...samples[at]!.labels, state: 'D' } };
      if (edit === 3 && samples[at]) samples[at] = { ...samples[at]!, name: `${samples[at]!.name}x` };
      const batch = { ...previous, id: `scrape-${scrape}`, timestampMs: previous.timestampMs + 5_000, samples };
      expectSameAsAvsc(scrape % 7 === 3 ? encodeMetricBatchInBlocks(batch, 1 + (scrape % 3)) : avscType.toBuffer(batch));
      if (scrape % 11 === 5) {
        // A record cut short in between must not leave anything behind for the next one.
        const body = avscType.toBuffer(batch);
        expect(() => decodeMetricBatchBody(body.subarray(0, Math.floor(body.length * random())))).toThrow(/truncated|invalid/);
      }
      previous = batch;
    }
    for (const batch of successiveScrapes(4, 20)) expectSameAsAvsc(avscType.toBuffer(batch));
  });

  it('gives the same answer when the caller reuses its buffer for the next record', () => {
    const first = avscType.toBuffer(realisticMetricBatch(8));
    const second = avscType.toBuffer({ ...realisticMetricBatch(8), samples: realisticMetricBatch(9).samples });
    const shared = Buffer.alloc(Math.max(first.length, second.length));
    first.copy(shared);
    decodeMetricBatchBody(shared.subarray(0, first.length));
    shared.fill(0);
    second.copy(shared);
    expectSameAsAvsc(shared.subarray(0, second.length));
  });

  it('rejects every truncation and trailing data, saying what is wrong', () => {
    const body = avscType.toBuffer(realisticMetricBatch(5, 20));
    for (let length = 0; length < body.length; length++) {
      expect(() => decodeMetricBatchBody(body.subarray(0, length))).toThrow(/truncated|invalid/);
    }
    expect(() => decodeMetricBatchBody(Buffer.concat([body, Buffer.from([0])]))).toThrow('trailing data');
  });
});

describe("codecFor('metrics.raw') fast path", () => {
  const codec = codecFor('metrics.raw');

  it('decodes records of the current schema like avsc, and wraps errors as VIGIL_DECODE', () => {
    const bytes = codec.encode(realisticMetricBatch(11));
    expect(plain(codec.decode(bytes))).toStrictEqual(plain(avscType.fromBuffer(bytes.subarray(10))));
    const truncated = bytes.subarray(0, bytes.length - 3);
    expect(() => codec.decode(truncated)).toThrow(VigilError);
    expect(() => codec.decode(truncated)).toThrow(/invalid io\.vigil\.MetricBatch body: truncated buffer: a double runs past the end/);
  });
});
