/**
 * Decode and encode speed of metrics.raw batches (200 samples, one in three labelled {pid, comm}):
 * avsc's generated decoder and encoder as the codec used them before, against codecFor('metrics.raw').
 * The floor set for the codec is 50k decoded batches/s on one core.
 *
 * Rerun: npx tsx bench/codec.bench.ts
 */
import { codecFor } from '../src/codec/codecs.js';
import { createWireFormat } from '../src/codec/wire-format.js';
import { realisticMetricBatch, successiveScrapes } from '../src/codec/metric-batch.fixtures.js';
import type { MetricBatch } from '../src/codec/records.generated.js';

const codec = codecFor('metrics.raw');
const { type, fingerprint } = codec;

/** The codec's encode before the fast path: avsc toBuffer, then a second copy behind the header. */
function avscEncode(record: MetricBatch): Buffer {
  const body = type.toBuffer(record);
  const out = Buffer.allocUnsafe(10 + body.length);
  out[0] = 0xc3;
  out[1] = 0x01;
  fingerprint.copy(out, 2);
  body.copy(out, 10);
  return out;
}

function avscDecode(bytes: Buffer): MetricBatch {
  return type.fromBuffer(bytes.subarray(10)) as MetricBatch;
}

/** Batches per second of `run` over `inputs`, best of 5 rounds of ~1 s after a warm-up. */
function measure<I>(inputs: I[], run: (input: I) => unknown): number {
  let sink = 0;
  const round = (ms: number): number => {
    let done = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(ms) * 1_000_000n;
    let now = start;
    while (now < deadline) {
      for (let i = 0; i < 1000; i++) if (run(inputs[(done + i) % inputs.length]!)) sink++;
      done += 1000;
      now = process.hrtime.bigint();
    }
    return done / (Number(now - start) / 1e9);
  };
  round(500);
  let best = 0;
  for (let r = 0; r < 5; r++) best = Math.max(best, round(1000));
  if (sink === -1) console.log(sink);
  return best;
}

const scenarios: [string, () => MetricBatch[]][] = [
  ['one node, the same scrape over and over', () => [realisticMetricBatch(0)]],
  ['16 nodes, successive scrapes (1 process in 20 new)', () => successiveScrapes(16, 64)],
  ['64 unrelated batches (16 nodes, all pids new)', () => Array.from({ length: 64 }, (_, seed) => realisticMetricBatch(seed))],
  ['1024 unrelated batches (cold caches)', () => Array.from({ length: 1024 }, (_, seed) => realisticMetricBatch(seed))],
];

const format = (n: number): string => `${Math.round(n / 1000).toLocaleString('en')}k/s`.padStart(9);
console.log('metrics.raw, 200 samples per batch, batches/s on one core (best of 5 × 1 s)\n');
console.log(`${'scenario'.padEnd(52)} ${'decode avsc'.padStart(11)} ${'decode fast'.padStart(11)} ${'encode before'.padStart(13)} ${'encode now'.padStart(11)}`);
for (const [label, make] of scenarios) {
  const batches = make();
  const encoded = batches.map((batch) => codec.encode(batch));
  const decodeAvsc = measure(encoded, avscDecode);
  const decodeFast = measure(encoded, (bytes) => codec.decode(bytes));
  const encodeBefore = measure(batches, avscEncode);
  const encodeNow = measure(batches, (batch) => codec.encode(batch));
  console.log(`${label.padEnd(52)} ${format(decodeAvsc).padStart(11)} ${format(decodeFast).padStart(11)} ${format(encodeBefore).padStart(13)} ${format(encodeNow).padStart(11)}`);
}
// Schema Registry framing once the schema is registered (a stand-in registry answers id 1): the same fast decoder behind a 5-byte header.
const registered = createWireFormat({ registry: { url: 'bench', register: async () => 1, schemaById: async () => { throw new Error('not asked'); } } });
await registered.prepare();
const registryCodec = registered.codec('metrics.raw');
const scrapes = successiveScrapes(16, 64);
const framed = scrapes.map((batch) => registryCodec.encode(batch));
console.log(`\nSchema Registry framing, 16 nodes successive scrapes: decode ${format(measure(framed, (bytes) => registryCodec.decode(bytes))).trim()}, encode ${format(measure(scrapes, (batch) => registryCodec.encode(batch))).trim()}`);
console.log(`\nbatch size on the wire: ${codec.encode(realisticMetricBatch(0)).length} bytes`);
console.log('rerun: npx tsx bench/codec.bench.ts');
