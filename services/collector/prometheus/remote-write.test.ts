import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappyjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MetricBatch } from '../../../src/codec/records.generated.js';
import { problemList } from '../core/problems.js';
import {
  encodeWriteRequest, hostOfInstance, startRemoteWriteReceiver, writeRequestToBatches,
  type RemoteWriteReceiver, type WriteRequest,
} from './remote-write.js';
import {
  freePort, missingBinary, prometheusBinary, startBinary, startNodeExporterOnFixtures, waitFor, type RunningBinary,
} from './testing/exporters.js';

const series = (labels: Record<string, string>, samples: [number, number][]): WriteRequest['timeseries'][number] => ({
  labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
  samples: samples.map(([value, timestamp]) => ({ value, timestamp })),
});

const request: WriteRequest = {
  timeseries: [
    series({ __name__: 'up', instance: 'node-a.example:9100', job: 'node' }, [[1, 1_700_000_000_000], [1, 1_700_000_015_000]]),
    series({ __name__: 'node_load1', instance: 'node-a.example:9100', job: 'node' }, [[0.21, 1_700_000_000_000], [Number.NaN, 1_700_000_015_000]]),
    series({ __name__: 'node_load1', instance: '[2001:db8::1]:9100', job: 'node' }, [[0.5, 1_700_000_000_000]]),
    series({ __name__: 'kube_pod_info', instance: '10.0.0.7:8080', job: 'ksm', node: 'worker-3', pod: 'api-0' }, [[1, 1_700_000_000_000]]),
    series({ instance: '10.0.0.7:8080', job: 'ksm' }, [[1, 1_700_000_000_000]]),
  ],
};

describe('writeRequestToBatches', () => {
  it('makes one batch per job, node and timestamp, with the instance host as node, NaN (staleness markers) dropped', () => {
    const problems = problemList();
    const { batches, nanSamples } = writeRequestToBatches(request, { cluster: 'prod', defaultNode: 'collector-host' }, problems);
    expect(batches.map((b) => [b.source, b.node, b.timestampMs, b.samples.map((s) => `${s.name}=${s.value}`)])).toEqual([
      ['remote_write.node', 'node-a.example', 1_700_000_000_000, ['up=1', 'node_load1=0.21']],
      ['remote_write.node', 'node-a.example', 1_700_000_015_000, ['up=1']],
      ['remote_write.node', '2001:db8::1', 1_700_000_000_000, ['node_load1=0.5']],
      ['remote_write.ksm', '10.0.0.7', 1_700_000_000_000, ['kube_pod_info=1']],
    ]);
    expect(batches[0]?.samples[1]).toEqual({ name: 'node_load1', labels: { instance: 'node-a.example:9100', job: 'node' }, value: 0.21 });
    expect(batches.every((b) => b.cluster === 'prod')).toBe(true);
    expect(new Set(batches.map((b) => b.id)).size).toBe(4);
    expect(nanSamples).toBe(1);
    expect(problems.list).toEqual(['remote_write: 1 series without __name__ skipped']);
  });

  it('puts a series on the node its node label names, when configured', () => {
    const { batches } = writeRequestToBatches(request, { cluster: 'prod', defaultNode: 'collector-host', nodeLabel: 'node' }, problemList());
    expect(batches.find((b) => b.source === 'remote_write.ksm')?.node).toBe('worker-3');
  });

  it('gives the same ids to a retried request and different ids to two parts of one scrape', () => {
    const options = { cluster: 'prod', defaultNode: 'x' };
    const once = writeRequestToBatches(request, options, problemList()).batches.map((b) => b.id);
    expect(writeRequestToBatches(request, options, problemList()).batches.map((b) => b.id)).toEqual(once);
    const [first, second] = [0, 1].map((index) => writeRequestToBatches({ timeseries: [request.timeseries[index]!] }, options, problemList()).batches[0]);
    expect([first?.source, first?.timestampMs]).toEqual([second?.source, second?.timestampMs]);
    expect(first?.id).not.toBe(second?.id);
  });

  it('shards a large group like a scraped target', () => {
    const big: WriteRequest = {
      timeseries: Array.from({ length: 12_000 }, (_, i) => series({ __name__: 'container_memory_working_set_bytes', id: `/pod${i}`, instance: 'n1:10250', job: 'cadvisor' }, [[i, 5]])),
    };
    const { batches } = writeRequestToBatches(big, { cluster: 'c', defaultNode: 'x' }, problemList());
    expect(batches.map((b) => b.source)).toEqual(['remote_write.cadvisor.0', 'remote_write.cadvisor.1', 'remote_write.cadvisor.2', 'remote_write.cadvisor.3', 'remote_write.cadvisor.4', 'remote_write.cadvisor.5', 'remote_write.cadvisor.6', 'remote_write.cadvisor.7']);
    expect(batches.reduce((n, b) => n + b.samples.length, 0)).toBe(12_000);
    for (const batch of batches) expect(batch.samples.length).toBeLessThanOrEqual(5000);
  });

  it.each([['host:9100', 'host'], ['10.1.2.3:9100', '10.1.2.3'], ['[::1]:9090', '::1'], ['[fe80::1]', 'fe80::1'], ['bare-host', 'bare-host'], ['2001:db8::2', '2001:db8::2']])(
    'takes the host of instance %s', (instance, host) => expect(hostOfInstance(instance)).toBe(host),
  );
});

describe('the remote_write receiver', () => {
  let receiver: RemoteWriteReceiver | undefined;
  let received: MetricBatch[][] = [];
  let onBatches: (batches: MetricBatch[]) => Promise<void> = async (batches) => void received.push(batches);
  beforeAll(async () => {
    receiver = await startRemoteWriteReceiver({
      port: 0, host: '127.0.0.1', cluster: 'prod', defaultNode: 'collector-host', maxBodyBytes: 64 * 1024,
      onBatches: (batches) => onBatches(batches),
    });
  });
  afterAll(async () => {
    await receiver?.close();
  });
  afterEach(() => {
    received = [];
    onBatches = async (batches) => void received.push(batches);
  });
  const post = (body: Uint8Array | string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${receiver?.port}/api/v1/write`, {
      method: 'POST',
      body: typeof body === 'string' ? body : Buffer.from(body),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', ...headers },
    });

  it('answers 204 once onBatches resolved, with the batches of the request', async () => {
    let release: () => void = () => undefined;
    onBatches = (batches) => new Promise((resolve) => {
      received.push(batches);
      release = resolve;
    });
    let answered = false;
    const response = post(encodeWriteRequest(request)).then((r) => { answered = true; return r; });
    await waitFor('the batches', async () => (received.length > 0 ? true : undefined), 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    release();
    expect((await response).status).toBe(204);
    expect(received[0]?.map((b) => b.source)).toEqual(['remote_write.node', 'remote_write.node', 'remote_write.node', 'remote_write.ksm']);
  });

  it('answers 500 when onBatches rejects, so Prometheus retries', async () => {
    onBatches = async () => { throw new Error('bus down'); };
    const response = await post(encodeWriteRequest(request));
    expect([response.status, await response.text()]).toEqual([500, 'could not pass the samples on (retry): bus down']);
  });

  it.each([
    ['not snappy', () => 'plain text', 400, /^undecodable body: snappy: /],
    ['snappy but not protobuf', () => snappy.compress(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f])), 400, /^undecodable body: protobuf prometheus\.WriteRequest: /],
  ])('answers 400 with the reason for a body that is %s', async (_name, body, status, reason) => {
    const response = await post(body());
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(reason);
    expect(received).toEqual([]);
  });

  it.each([
    [{ 'content-type': 'application/json' }, /expected Content-Type application\/x-protobuf/],
    [{ 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' }, /remote write 1\.0/],
    [{ 'content-encoding': 'gzip' }, /expected Content-Encoding snappy, got "gzip"/],
  ])('answers 415 for %j', async (headers, reason) => {
    const response = await post(encodeWriteRequest(request), headers);
    expect(response.status).toBe(415);
    expect(await response.text()).toMatch(reason);
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await post(new Uint8Array(65 * 1024));
    expect(response.status).toBe(413);
  });
});

const prometheusMissing = missingBinary(prometheusBinary);
describe.skipIf(prometheusMissing !== undefined)(prometheusMissing ?? "a real Prometheus remote-writing node_exporter's fixture numbers", () => {
  let nodeExporter: RunningBinary | undefined;
  let prometheus: RunningBinary | undefined;
  let receiver: RemoteWriteReceiver | undefined;
  let directory = '';
  const received: MetricBatch[] = [];

  beforeAll(async () => {
    nodeExporter = await startNodeExporterOnFixtures();
    receiver = await startRemoteWriteReceiver({ port: 0, host: '127.0.0.1', cluster: 'test', defaultNode: 'unused', onBatches: async (batches) => void received.push(...batches) });
    directory = await mkdtemp(join(tmpdir(), 'vigil-prometheus-'));
    const port = await freePort();
    await writeFile(join(directory, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, scrape_timeout: 1s }',
      'scrape_configs:',
      `  - { job_name: node, static_configs: [{ targets: ['127.0.0.1:${nodeExporter.port}'] }] }`,
      `  - { job_name: prometheus, static_configs: [{ targets: ['127.0.0.1:${port}'] }] }`,
      'remote_write:',
      `  - url: http://127.0.0.1:${receiver.port}/api/v1/write`,
      '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s }',
      '',
    ].join('\n'));
    prometheus = await startBinary(prometheusBinary, [
      `--config.file=${join(directory, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(directory, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], port, '/-/ready');
  });
  afterAll(async () => {
    await prometheus?.stop();
    await nodeExporter?.stop();
    await receiver?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("receives node_exporter's MemTotal from the fixture tree and Prometheus's own histograms, in batches per job, node and scrape", async () => {
    const memTotal = await waitFor('node_memory_MemTotal_bytes from Prometheus', async () => received
      .find((b) => b.source === 'remote_write.node')?.samples.find((s) => s.name === 'node_memory_MemTotal_bytes'), 20_000, () => prometheus?.output() ?? '');
    expect(memTotal).toEqual({ name: 'node_memory_MemTotal_bytes', labels: { instance: `127.0.0.1:${nodeExporter?.port}`, job: 'node' }, value: 3.831959552e9 });

    // One scrape reaches the receiver in several requests (Prometheus's queue shards), so `up` may come later.
    const upOfNode = await waitFor('up of job node', async () => received.flatMap((b) => b.samples).find((s) => s.name === 'up' && s.labels.job === 'node'), 10_000);
    expect(upOfNode.value).toBe(1);
    const nodeBatch = received.find((b) => b.source === 'remote_write.node');
    expect([nodeBatch?.cluster, nodeBatch?.node]).toEqual(['test', '127.0.0.1']);
    expect(Math.abs((nodeBatch?.timestampMs ?? 0) - Date.now())).toBeLessThan(60_000);
    for (const batch of received) expect(batch.samples.every((s) => !Number.isNaN(s.value))).toBe(true);

    const histogramBucket = await waitFor("Prometheus's own histogram buckets", async () => received
      .flatMap((b) => b.samples).find((s) => s.name === 'prometheus_http_request_duration_seconds_bucket' && s.labels.le === '+Inf'), 10_000);
    expect(histogramBucket.labels.job).toBe('prometheus');
  });
});
