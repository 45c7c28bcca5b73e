/**
 * A hand-written decoder for MetricBatch bodies (topic metrics.raw), the hottest record in the
 * pipeline. It reads exactly what avsc reads from the same bytes (proven by a property test against
 * avsc) but avoids most allocations: metric names, label keys and label values go through a small
 * bounded intern table, and each label map is cached by its encoded byte span, so a series seen
 * before costs one hash and one byte compare instead of a fresh object and fresh strings.
 *
 * On top of that, each (cluster, node, source) remembers the bytes of its previous batch: a
 * collector sends the same series in the same order scrape after scrape, so the name and labels of
 * sample i usually repeat byte for byte. Avro's encoding is self-delimiting, so when the next bytes
 * equal the previous batch's name + labels span of sample i, they decode to the same name and labels:
 * one compare replaces parsing, hashing and lookups. Other samples go through the caches above.
 * Memory for these layouts is bounded (layoutBudgetBytes).
 *
 * Contract differences from avsc's decoder, both invisible to readers of the MetricBatch interface:
 * - records are plain objects, not avsc record instances (no clone/toBuffer methods);
 * - every `labels` object is frozen and may be shared between samples and batches: copy it before
 *   changing it (`{ ...sample.labels }`).
 */
import type { MetricBatch, Sample } from './records.generated.js';

/**
 * Parsing Canonical Form of the schema this decoder reads. The codec only uses the decoder when the
 * writer's schema is this one; a test fails when schemas/metrics.raw.avsc no longer matches it.
 */
export const metricBatchCanonicalForm =
  '{"name":"io.vigil.MetricBatch","type":"record","fields":[{"name":"id","type":"string"},{"name":"cluster","type":"string"},{"name":"node","type":"string"},{"name":"source","type":"string"},{"name":"timestampMs","type":"long"},{"name":"samples","type":{"type":"array","items":{"name":"io.vigil.Sample","type":"record","fields":[{"name":"name","type":"string"},{"name":"labels","type":{"type":"map","values":"string"}},{"name":"value","type":"double"}]}}}]}';

const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Buffer, start: number, end: number): string }).utf8Slice;

/**
 * Two-way set-associative cache from a byte string to a decoded value with fixed memory: `slots`
 * entries of at most `maxBytes` bytes each. A key may sit in either slot of its pair; a new key
 * takes a free one or evicts the second. Every hit is confirmed byte for byte, so a hash collision
 * only ever costs a miss.
 */
class ByteKeyedCache<V> {
  private readonly keys: Uint8Array;
  private readonly keyWords: DataView;
  private readonly lengths: Int32Array;
  private readonly values: (V | undefined)[];
  private readonly pairMask: number;

  constructor(slots: number, readonly maxBytes: number) {
    this.keys = new Uint8Array(slots * maxBytes);
    this.keyWords = new DataView(this.keys.buffer);
    this.lengths = new Int32Array(slots).fill(-1);
    this.values = new Array<V | undefined>(slots).fill(undefined);
    this.pairMask = slots - 2;
  }

  /**
   * The first slot of the pair for the non-empty key at bytes [start, end); `words` views the same
   * bytes as `buf`. Hashes four bytes at a time (the last word may overlap the one before it).
   */
  pairOf(buf: Uint8Array, words: DataView, start: number, end: number): number {
    const length = end - start;
    let hash = Math.imul(length, 0x9e3779b1);
    if (length < 4) {
      for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    } else {
      const last = end - 4;
      for (let i = start; i < last; i += 4) hash = Math.imul(hash ^ words.getInt32(i), 0x85ebca77);
      hash = Math.imul(hash ^ words.getInt32(last), 0xc2b2ae3d);
    }
    return (hash ^ (hash >>> 15)) & this.pairMask;
  }

  get(pair: number, buf: Uint8Array, words: DataView, start: number, end: number): V | undefined {
    if (this.matches(pair, buf, words, start, end)) return this.values[pair];
    if (this.matches(pair + 1, buf, words, start, end)) return this.values[pair + 1];
    return undefined;
  }

  set(pair: number, buf: Uint8Array, start: number, end: number, value: V): void {
    const slot = this.lengths[pair] === -1 ? pair : pair + 1;
    const keys = this.keys;
    let k = slot * this.maxBytes;
    for (let i = start; i < end; i++, k++) keys[k] = buf[i]!;
    this.lengths[slot] = end - start;
    this.values[slot] = value;
  }

  /** Compares four bytes at a time, then the last one to three. */
  private matches(slot: number, buf: Uint8Array, words: DataView, start: number, end: number): boolean {
    if (this.lengths[slot] !== end - start) return false;
    const keyWords = this.keyWords;
    let k = slot * this.maxBytes;
    let i = start;
    for (; i + 4 <= end; i += 4, k += 4) if (keyWords.getInt32(k) !== words.getInt32(i)) return false;
    const keys = this.keys;
    for (; i < end; i++, k++) if (keys[k] !== buf[i]) return false;
    return true;
  }
}

const MAX_INTERNED_STRING_BYTES = 64;
const MAX_CACHED_LABELS_BYTES = 96;
/** Names, label keys and label values: 4096 × 64 B = 256 KiB of keys. */
const strings = new ByteKeyedCache<string>(4096, MAX_INTERNED_STRING_BYTES);
/** Whole label maps by their encoded bytes: 16384 × 96 B = 1.5 MiB of keys (a few hundred processes on each of dozens of nodes). */
const labelMaps = new ByteKeyedCache<Readonly<Record<string, string>>>(16384, MAX_CACHED_LABELS_BYTES);
const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});

// The read position and end of the body being decoded; module state keeps the hot loop free of
// closures and property loads. Decoding is synchronous, so no two decodes interleave.
var pos = 0; // eslint-disable-line no-var -- `var`: no TDZ check on every access
var end = 0; // eslint-disable-line no-var
/** The body's bytes as a DataView, for comparing cache keys four bytes at a time. */
let words: DataView = new DataView(new ArrayBuffer(0));

function truncated(what: string): never {
  throw new Error(`truncated buffer: ${what} runs past the end of the record`);
}

/** An Avro long (zig-zag varint), with avsc's exact arithmetic beyond 28 bits. */
function readLong(buf: Uint8Array): number {
  if (pos >= end) truncated('a long');
  let b = buf[pos++]!;
  if (b < 0x80) return (b >> 1) ^ -(b & 1);
  let n = b & 0x7f;
  let k = 7;
  let more = true;
  while (k < 28) {
    if (pos >= end) truncated('a long');
    b = buf[pos++]!;
    n |= (b & 0x7f) << k;
    k += 7;
    if (!(b & 0x80)) { more = false; break; }
  }
  if (!more) return (n >> 1) ^ -(n & 1);
  let f = n;
  let fk = 268435456; // 2 ** 28
  do {
    if (pos >= end) truncated('a long');
    b = buf[pos++]!;
    f += (b & 0x7f) * fk;
    fk *= 128;
  } while (b & 0x80);
  return (f % 2 ? -(f + 1) : f) / 2;
}

function skipLong(buf: Uint8Array): void {
  do if (pos >= end) truncated('a long'); while (buf[pos++]! & 0x80);
}

function stringLength(buf: Uint8Array): number {
  const length = readLong(buf);
  if (length < 0) throw new Error(`invalid string length ${length}`);
  if (pos + length > end) truncated('a string');
  return length;
}

function readString(buf: Buffer): string {
  const length = stringLength(buf);
  const start = pos;
  pos += length;
  if (length === 0) return '';
  if (length > MAX_INTERNED_STRING_BYTES) return utf8Slice.call(buf, start, pos);
  const slot = strings.pairOf(buf, words, start, pos);
  let text = strings.get(slot, buf, words, start, pos);
  if (text === undefined) {
    text = utf8Slice.call(buf, start, pos);
    strings.set(slot, buf, start, pos, text);
  }
  return text;
}

/** Item count of the next array or map block; 0 ends the array. A negative count is followed by the block's byte size. */
function blockCount(buf: Uint8Array): number {
  let count = readLong(buf);
  if (count < 0) {
    count = -count;
    skipLong(buf);
  }
  return count;
}

function readLabelsUncached(buf: Buffer): Record<string, string> {
  const labels: Record<string, string> = {};
  let count: number;
  while ((count = blockCount(buf)) !== 0) {
    while (count--) {
      const key = readString(buf);
      labels[key] = readString(buf);
    }
  }
  return labels;
}

/** Moves past a map<string> without decoding it. */
function skipLabels(buf: Uint8Array): void {
  let count: number;
  while ((count = blockCount(buf)) !== 0) {
    while (count--) {
      const keyLength = stringLength(buf); // not `pos += stringLength()`: that adds to the old pos
      pos += keyLength;
      const valueLength = stringLength(buf);
      pos += valueLength;
    }
  }
}

function readLabels(buf: Buffer): Readonly<Record<string, string>> {
  const start = pos;
  if (start < end && buf[start] === 0) {
    pos++;
    return EMPTY_LABELS;
  }
  skipLabels(buf);
  const spanEnd = pos;
  if (spanEnd - start > MAX_CACHED_LABELS_BYTES) {
    pos = start;
    return Object.freeze(readLabelsUncached(buf));
  }
  const slot = labelMaps.pairOf(buf, words, start, spanEnd);
  let labels = labelMaps.get(slot, buf, words, start, spanEnd);
  if (labels === undefined) {
    pos = start;
    labels = Object.freeze(readLabelsUncached(buf));
    labelMaps.set(slot, buf, start, spanEnd, labels);
  } else {
    pos = spanEnd;
  }
  return labels;
}

// Doubles are read by copying their 8 bytes under a Float64Array (little-endian, like every host Node runs on).
const doubleBytes = new Uint8Array(8);
const doubleView = new Float64Array(doubleBytes.buffer);
if (new Uint8Array(new Float64Array([1]).buffer)[7] !== 0x3f) throw new Error('metric-batch-decoder needs a little-endian host');

function readDouble(buf: Uint8Array): number {
  if (pos + 8 > end) truncated('a double');
  doubleBytes[0] = buf[pos]!;
  doubleBytes[1] = buf[pos + 1]!;
  doubleBytes[2] = buf[pos + 2]!;
  doubleBytes[3] = buf[pos + 3]!;
  doubleBytes[4] = buf[pos + 4]!;
  doubleBytes[5] = buf[pos + 5]!;
  doubleBytes[6] = buf[pos + 6]!;
  doubleBytes[7] = buf[pos + 7]!;
  pos += 8;
  return doubleView[0]!;
}

/**
 * The previous batch of one (cluster, node, source): a copy of its samples' bytes, where each
 * sample's name + labels span sits in that copy, and the decoded names and labels to reuse. Updated
 * in place by the next batch of the same source, so the steady state allocates nothing here.
 */
interface Layout {
  /** The samples' bytes of the last batch; capacity may exceed `length`. */
  bytes: Buffer;
  words: DataView;
  length: number;
  /** Samples of the last batch whose span can be compared. */
  count: number;
  spanStarts: Int32Array;
  spanLengths: Int32Array;
  names: string[];
  labels: Readonly<Record<string, string>>[];
}

/** Bytes of sample layouts kept, all sources together (the least recently decoded source is forgotten first). */
const layoutBudgetBytes = 32 * 1024 * 1024;
const layouts = new Map<string, Layout>();
let layoutBytes = 0;

function layoutFor(key: string): Layout {
  let layout = layouts.get(key);
  if (layout === undefined) {
    layout = {
      bytes: Buffer.alloc(0), words: new DataView(new ArrayBuffer(0)), length: 0, count: 0,
      spanStarts: new Int32Array(16), spanLengths: new Int32Array(16), names: [], labels: [],
    };
  } else {
    layouts.delete(key); // re-inserted below: Map order is least recently decoded first
  }
  layouts.set(key, layout);
  return layout;
}

/** Copies the batch's samples bytes into the layout (growing its buffer when needed) and keeps the budget. */
function storeBytes(key: string, layout: Layout, buf: Buffer, start: number, stop: number): void {
  const length = stop - start;
  if (layout.bytes.length < length) {
    layoutBytes -= layout.bytes.length;
    layout.bytes = Buffer.allocUnsafeSlow(length + (length >> 2));
    layout.words = new DataView(layout.bytes.buffer, layout.bytes.byteOffset, layout.bytes.length);
    layoutBytes += layout.bytes.length;
    for (const [oldest, old] of layouts) {
      if (layoutBytes <= layoutBudgetBytes || oldest === key) break;
      layouts.delete(oldest);
      layoutBytes -= old.bytes.length;
    }
  }
  buf.copy(layout.bytes, 0, start, stop);
  layout.length = length;
}

function ensureSpanCapacity(layout: Layout, needed: number): void {
  if (needed <= layout.spanStarts.length) return;
  const capacity = Math.max(needed, layout.spanStarts.length * 2);
  const starts = new Int32Array(capacity);
  starts.set(layout.spanStarts);
  layout.spanStarts = starts;
  const lengths = new Int32Array(capacity);
  lengths.set(layout.spanLengths);
  layout.spanLengths = lengths;
}

/**
 * The length of sample `index`'s name + labels span in `layout` when the bytes at pos repeat it
 * exactly, else -1. Compares four bytes at a time.
 */
function repeatedSpan(layout: Layout, index: number, buf: Uint8Array): number {
  const length = layout.spanLengths[index]!;
  const stop = pos + length;
  if (stop > end) return -1;
  const theirs = layout.words;
  let k = layout.spanStarts[index]!;
  let i = pos;
  for (; i + 4 <= stop; i += 4, k += 4) if (theirs.getInt32(k) !== words.getInt32(i)) return -1;
  const bytes = layout.bytes;
  for (; i < stop; i++, k++) if (bytes[k] !== buf[i]) return -1;
  return length;
}

/**
 * Decodes the Avro body of a MetricBatch (no single-object header) from buf[offset..]. Throws an
 * Error saying what is wrong when the bytes are truncated, have trailing data or are malformed.
 */
export function decodeMetricBatchBody(buf: Buffer, offset = 0): MetricBatch {
  pos = offset;
  end = buf.length;
  words = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const id = readString(buf);
  const cluster = readString(buf);
  const node = readString(buf);
  const source = readString(buf);
  const timestampMs = readLong(buf);
  // avsc's bound for longs it can read without precision loss.
  if (!(timestampMs >= -9007199254740990 && timestampMs <= 9007199254740990)) throw new Error('potential precision loss in timestampMs');
  const samplesStart = pos;
  const layoutKey = `${cluster}\u0000${node}\u0000${source}`;
  const layout = layoutFor(layoutKey);
  // Spans [0, comparable) of the previous batch are intact; span i is overwritten right after sample i is read.
  const comparable = layout.count;
  layout.count = 0; // until this batch completes: a batch that fails half-way leaves spans out of step with bytes
  let samples: Sample[] | undefined;
  let i = 0;
  let count: number;
  while ((count = blockCount(buf)) !== 0) {
    if (count > end - pos) truncated('the samples array');
    samples ??= new Array<Sample>(count);
    ensureSpanCapacity(layout, i + count);
    while (count--) {
      const start = pos;
      let name: string;
      let labels: Readonly<Record<string, string>>;
      const repeated = i < comparable ? repeatedSpan(layout, i, buf) : -1;
      if (repeated >= 0) {
        pos += repeated;
        name = layout.names[i]!;
        labels = layout.labels[i]!;
      } else {
        name = readString(buf);
        labels = readLabels(buf);
        layout.names[i] = name;
        layout.labels[i] = labels;
      }
      layout.spanStarts[i] = start - samplesStart;
      layout.spanLengths[i] = pos - start;
      samples[i++] = { name, labels: labels as Record<string, string>, value: readDouble(buf) };
    }
  }
  if (pos < end) throw new Error('trailing data');
  storeBytes(layoutKey, layout, buf, samplesStart, end);
  layout.count = i;
  layout.names.length = i;
  layout.labels.length = i;
  return { id, cluster, node, source, timestampMs, samples: samples ?? [] };
}
