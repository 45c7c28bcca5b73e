import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { decodeMetricBatchBody, metricBatchCanonicalForm } from './metric-batch-decoder.js';
import { encodeMetricBatchInBlocks, randomMetricBatch, realisticMetricBatch, seededRandom } from './metric-batch.fixtures.js';
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
