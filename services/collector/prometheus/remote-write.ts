/**
 * Prometheus remote_write 1.0 receiver (https://prometheus.io/docs/specs/remote_write_spec/), so an
 * existing Prometheus can feed Vigil: POST /api/v1/write, a snappy block-compressed
 * prometheus.WriteRequest. The answer waits for onBatches: 204 once it resolved, 500 when it
 * rejected (Prometheus retries 5xx), 400 for a body that cannot be decoded (Prometheus drops it).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import { deterministicId } from '../../../src/codec/ids.js';
import type { MetricBatch, Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from '../core/problems.js';
import { maxSamplesPerBatch, seriesKey, shardSamples } from './shard.js';

/** The subset of prometheus/prompb remote.proto and types.proto that remote write 1.0 uses. */
const writeRequestProto = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;
const writeRequestType = protobuf.parse(writeRequestProto, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

/** protobufjs gives int64 as a Long when the long package is installed, else as a number. */
type Int64 = number | { toNumber(): number };

export interface WriteRequest {
  timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: Int64 }[] }[];
}

/** Snappy block format (not framed) then protobuf; throws with the reason when either fails. */
export function decodeWriteRequest(body: Uint8Array, maxDecodedBytes: number): WriteRequest {
  let decoded: Uint8Array;
  try {
    decoded = snappy.uncompress(body, maxDecodedBytes);
  } catch (error) {
    throw new Error(`snappy: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return writeRequestType.decode(decoded) as unknown as WriteRequest;
  } catch (error) {
    throw new Error(`protobuf prometheus.WriteRequest: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The inverse of decodeWriteRequest, for tests and tools. */
export function encodeWriteRequest(request: WriteRequest): Uint8Array {
  return snappy.compress(writeRequestType.encode(writeRequestType.fromObject(request)).finish());
}

export interface BatchingOptions {
  cluster: string;
  /** Node of a series without the node label and without an instance label (VIGIL_NODE). */
  defaultNode: string;
  /** A label naming the node (e.g. `node`); when a series has it, it wins over `instance`. */
  nodeLabel?: string;
  maxSamplesPerBatch?: number;
}

export interface WriteResult {
  batches: MetricBatch[];
  /** Samples dropped because their value was NaN (Prometheus's staleness markers are NaN). */
  nanSamples: number;
}

/** `host:port`, `[v6]:port`, `host` → host. */
export function hostOfInstance(instance: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(instance);
  if (bracketed?.[1]) return bracketed[1];
  const colons = instance.split(':').length - 1;
  return colons === 1 ? instance.slice(0, instance.indexOf(':')) : instance;
}

/**
 * Groups the samples of one request by (job, node, timestamp): one MetricBatch each, source
 * `remote_write.<job>` (sharded like scraped targets when over a batch), labels as sent without
 * `__name__`. A series without `__name__` is skipped and reported. The id also hashes the series in
 * the batch: one scrape reaches us in several requests, and a retried request gives the same ids.
 */
export function writeRequestToBatches(request: WriteRequest, options: BatchingOptions, problems: Problems): WriteResult {
  const groups = new Map<string, { job: string; node: string; timestampMs: number; samples: Sample[] }>();
  let nanSamples = 0;
  let unnamed = 0;
  let badTimestamps = 0;
  for (const series of request.timeseries) {
    let name: string | undefined;
    const labels: Record<string, string> = {};
    for (const label of series.labels) {
      if (label.name === '__name__') name = label.value;
      else if (label.value !== '') labels[label.name] = label.value;
    }
    if (!name) {
      unnamed++;
      continue;
    }
    const job = labels.job ?? 'unknown';
    const nodeFromLabel = options.nodeLabel ? labels[options.nodeLabel] : undefined;
    const node = nodeFromLabel || (labels.instance ? hostOfInstance(labels.instance) : options.defaultNode);
    for (const { value, timestamp } of series.samples) {
      if (Number.isNaN(value)) {
        nanSamples++;
        continue;
      }
      const timestampMs = typeof timestamp === 'number' ? timestamp : timestamp.toNumber();
      if (!Number.isSafeInteger(timestampMs)) {
        badTimestamps++;
        continue;
      }
      const key = `${job}\u0000${node}\u0000${timestampMs}`;
      let group = groups.get(key);
      if (!group) {
        group = { job, node, timestampMs, samples: [] };
        groups.set(key, group);
      }
      group.samples.push({ name, labels: { ...labels }, value });
    }
  }
  if (unnamed > 0) problems.report(`remote_write: ${unnamed} series without __name__ skipped`);
  if (badTimestamps > 0) problems.report(`remote_write: ${badTimestamps} samples with an out-of-range timestamp skipped`);

  const batches: MetricBatch[] = [];
  for (const { job, node, timestampMs, samples } of groups.values()) {
    for (const shard of shardSamples(`remote_write.${job}`, samples, options.maxSamplesPerBatch ?? maxSamplesPerBatch)) {
      if (shard.samples.length === 0) continue;
      const contents = deterministicId(...shard.samples.map((sample) => seriesKey(sample.name, sample.labels)));
      batches.push({
        id: deterministicId(options.cluster, node, shard.source, timestampMs, contents),
        cluster: options.cluster,
        node,
        source: shard.source,
        timestampMs,
        samples: shard.samples,
      });
    }
  }
  return { batches, nanSamples };
}

export interface RemoteWriteOptions extends BatchingOptions {
  port: number;
  host?: string;
  /** Largest compressed body accepted (413 above); Prometheus sends ~2,000 samples a request. */
  maxBodyBytes?: number;
  /** Largest decompressed body accepted (400 above). */
  maxDecodedBytes?: number;
  /** Where the batches go; the request is answered after this settles. */
  onBatches(batches: MetricBatch[]): Promise<void>;
  /** Series without a name, bad timestamps. */
  problems?: Problems;
}

export interface RemoteWriteReceiver {
  readonly port: number;
  close(): Promise<void>;
}

const defaultMaxBodyBytes = 16 * 1024 * 1024;
const defaultMaxDecodedBytes = 128 * 1024 * 1024;

export async function startRemoteWriteReceiver(options: RemoteWriteOptions): Promise<RemoteWriteReceiver> {
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const maxDecodedBytes = options.maxDecodedBytes ?? defaultMaxDecodedBytes;
  const problems = options.problems ?? { report: () => undefined };
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: maxBodyBytes });
  // Every content type arrives as raw bytes; the route decides (415 with a reason, not fastify's).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/api/v1/write', async (request, reply) => {
    const contentType = String(request.headers['content-type'] ?? '');
    const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
    const proto = parameters.find((parameter) => parameter.startsWith('proto='))?.slice('proto='.length);
    if (mediaType !== 'application/x-protobuf' || (proto !== undefined && proto !== 'prometheus.writerequest')) {
      return reply.code(415).type('text/plain').send(`expected Content-Type application/x-protobuf (remote write 1.0, prometheus.WriteRequest), got ${JSON.stringify(contentType)}`);
    }
    const encoding = String(request.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (encoding !== 'snappy') {
      return reply.code(415).type('text/plain').send(`expected Content-Encoding snappy, got ${JSON.stringify(encoding)}`);
    }
    if (!Buffer.isBuffer(request.body)) return reply.code(400).type('text/plain').send('empty body');
    let writeRequest: WriteRequest;
    try {
      writeRequest = decodeWriteRequest(request.body, maxDecodedBytes);
    } catch (error) {
      return reply.code(400).type('text/plain').send(`undecodable body: ${error instanceof Error ? error.message : String(error)}`);
    }
    const { batches } = writeRequestToBatches(writeRequest, options, problems);
    try {
      if (batches.length > 0) await options.onBatches(batches);
    } catch (error) {
      return reply.code(500).type('text/plain').send(`could not pass the samples on (retry): ${error instanceof Error ? error.message : String(error)}`);
    }
    return reply.code(204).send();
  });

  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { port, close: () => app.close() };
}
