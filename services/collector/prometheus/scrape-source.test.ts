import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/codec/records.generated.js';
import { loadConfig } from '../../../src/runtime/config.js';
import { createCollector } from '../collector.js';
import { problemList } from '../core/problems.js';
import { createHostFiles } from '../host-files.js';
import type { SourceBatch } from '../source.js';
import { defaultSources } from '../sources/default-sources.js';
import { fixturePath, oracleFamilies, readFixture, seriesKey, seriesOf } from '../testing/fixtures.js';
import { prometheusConfigSchema, scrapeSource, scrapeTargetsOf, type ScrapeTarget } from './scrape-source.js';
import { freePort, missingBinary, nodeExporterBinary, startNodeExporterOnFixtures, type RunningBinary } from './testing/exporters.js';

const noFiles = createHostFiles({ procRoot: '/nonexistent/proc', sysRoot: '/nonexistent/sys' });

async function scrape(target: ScrapeTarget, options: Parameters<typeof scrapeSource>[1] = {}) {
  const problems = problemList();
  const batches = await scrapeSource(target, options).collect({ files: noFiles, problems, nowMs: 0 });
  return { batches, problems: problems.list };
}

/** A one-route HTTP server answering what `respond` says; remembers the request headers. */
const servers: Server[] = [];
async function serve(respond: (send: (status: number, body: string) => void) => void): Promise<{ url: string; headers: () => IncomingHttpHeaders }> {
  let headers: IncomingHttpHeaders = {};
  const server = createServer((request, response) => {
    headers = request.headers;
    respond((status, body) => response.writeHead(status, { 'content-type': 'text/plain; version=0.0.4' }).end(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, headers: () => headers };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.closeAllConnections() ?? server.close(resolve))));
});

describe('scrapeSource', () => {
  it('asks for text 0.0.4, labels every sample with its job, keeps ±Inf, drops NaN and repeated series and says so', async () => {
    const target = await serve((send) => send(200, [
      '# TYPE up gauge',
      'up 1',
      'temperature{sensor="a",job="exporter-own"} +Inf',
      'temperature{sensor="b"} NaN',
      'temperature{sensor="c"} NaN',
      'temperature{sensor="d"} -3.5 1700000000000',
      'temperature{sensor="d"} -4',
      '',
    ].join('\n')));
    const { batches, problems } = await scrape({ job: 'edge', url: target.url, timeoutMs: 2000 });
    expect(target.headers().accept).toBe('text/plain;version=0.0.4');
    expect(batches).toEqual([{
      source: 'prom.edge',
      samples: [
        { name: 'up', labels: { job: 'edge' }, value: 1 },
        { name: 'temperature', labels: { sensor: 'a', job: 'edge', exported_job: 'exporter-own' }, value: Number.POSITIVE_INFINITY },
        { name: 'temperature', labels: { sensor: 'd', job: 'edge' }, value: -3.5 },
      ],
    }]);
    expect(problems).toEqual(['2 samples with value NaN dropped', '1 repeated series dropped (the first value of each is kept)']);
  });

  it('reads the real kube-state-metrics body served over HTTP', async () => {
    const body = readFixture('exposition', 'nri-kubernetes-1_35/ksm/metrics');
    const target = await serve((send) => send(200, body));
    const { batches, problems } = await scrape({ job: 'kube-state-metrics', url: target.url, timeoutMs: 5000 });
    expect(problems).toEqual([]);
    expect(batches.map((b) => [b.source, b.samples.length])).toEqual([['prom.kube-state-metrics', 1698]]);
    expect(batches[0]?.samples.find((s) => s.name === 'kube_node_status_capacity' && s.labels.resource === 'memory')).toEqual({
      name: 'kube_node_status_capacity', labels: { node: 'datagen-1-35', resource: 'memory', unit: 'byte', job: 'kube-state-metrics' }, value: 8.216887296e9,
    });
  });

  it('splits a large target into stable shards, each at most the batch limit, every series in exactly one', async () => {
    // kubelet's cAdvisor of the 1.35 node (4,621 series) with a limit of 1,000 stands for a big node's tens of thousands.
    const body = readFixture('exposition', 'nri-kubernetes-1_35/kubelet/metrics/cadvisor');
    const target = await serve((send) => send(200, body));
    const first = await scrape({ job: 'cadvisor', url: target.url, timeoutMs: 5000 }, { maxSamplesPerBatch: 1000 });
    const second = await scrape({ job: 'cadvisor', url: target.url, timeoutMs: 5000 }, { maxSamplesPerBatch: 1000 });
    expect(first.batches.map((b) => b.source)).toEqual(Array.from({ length: 16 }, (_, k) => `prom.cadvisor.${k}`));
    for (const batch of first.batches) expect(batch.samples.length).toBeLessThanOrEqual(1000);
    const shardOf = (batches: SourceBatch[]): Map<string, string> =>
      new Map(batches.flatMap((b) => b.samples.map((s): [string, string] => [seriesKey(s.name, s.labels), b.source])));
    expect(shardOf(first.batches).size).toBe(4621);
    expect(shardOf(second.batches)).toEqual(shardOf(first.batches));
  });

  it.each([
    ['a target that is down', async () => `http://127.0.0.1:${await freePort()}/metrics`, /^GET http:\/\/127\.0\.0\.1:\d+\/metrics: fetch failed: ECONNREFUSED$/],
    ['a target that answers 503', async () => (await serve((send) => send(503, 'overloaded'))).url, /: HTTP 503 Service Unavailable$/],
    ['a target that never answers', async () => (await serve(() => undefined)).url, /: no answer within 300 ms$/],
  ])('reports %s and publishes nothing, without throwing', async (_name, url, problem) => {
    const { batches, problems } = await scrape({ job: 'flaky', url: await url(), timeoutMs: 300 });
    expect(batches).toEqual([]);
    expect(problems).toEqual([expect.stringMatching(problem)]);
  });

  it('refuses a body over the size limit', async () => {
    const target = await serve((send) => send(200, 'x 1\n'.repeat(1000)));
    const { batches, problems } = await scrape({ job: 'huge', url: target.url, timeoutMs: 2000 }, { maxBodyBytes: 1000 });
    expect(batches).toEqual([]);
    expect(problems).toEqual([expect.stringMatching(/over the limit of 1000/)]);
  });
});

describe('prometheusConfigSchema', () => {
  it('reads job=url pairs, the timeout and the remote_write port', () => {
    const config = loadConfig(prometheusConfigSchema, {
      VIGIL_SCRAPE_TARGETS: 'node=http://localhost:9100/metrics, ksm=https://kube-state-metrics.kube-system:8443/metrics',
      VIGIL_SCRAPE_TIMEOUT_MS: '2500',
      VIGIL_REMOTE_WRITE_PORT: '9201',
    });
    expect(scrapeTargetsOf(config)).toEqual([
      { job: 'node', url: 'http://localhost:9100/metrics', timeoutMs: 2500 },
      { job: 'ksm', url: 'https://kube-state-metrics.kube-system:8443/metrics', timeoutMs: 2500 },
    ]);
    expect(config.VIGIL_REMOTE_WRITE_PORT).toBe(9201);
  });

  it('defaults to no targets and no receiver', () => {
    expect(loadConfig(prometheusConfigSchema, {})).toEqual({ VIGIL_SCRAPE_TARGETS: [], VIGIL_SCRAPE_TIMEOUT_MS: 4000, VIGIL_REMOTE_WRITE_PORT: 0 });
  });

  it.each([
    ['node=http://a:9100/metrics,http://b:9100/metrics', '"http://b:9100/metrics": expected job=url'],
    ['no de=http://a:9100/metrics', '"no de=http://a:9100/metrics": the job name must be'],
    ['node=ftp://a/metrics', '"node=ftp://a/metrics": expected an http:// or https:// URL'],
    ['node=not a url', '"node=not a url": expected an http:// or https:// URL'],
    ['node=http://a/metrics,node=http://b/metrics', 'job node is listed twice'],
  ])('fails on %j naming the variable and the entry', (value, message) => {
    expect(() => loadConfig(prometheusConfigSchema, { VIGIL_SCRAPE_TARGETS: value })).toThrow(/VIGIL_SCRAPE_TARGETS=.*bad entry/);
    expect(() => loadConfig(prometheusConfigSchema, { VIGIL_SCRAPE_TARGETS: value })).toThrow(message);
  });

  it('describes every variable', () => {
    for (const [variable, field] of Object.entries(prometheusConfigSchema.shape)) expect([variable, field.description]).toEqual([variable, expect.any(String)]);
  });
});

const nodeExporterMissing = missingBinary(nodeExporterBinary);
describe.skipIf(nodeExporterMissing !== undefined)(nodeExporterMissing ?? 'scrapeSource against a real node_exporter on the fixture tree', () => {
  let nodeExporter: RunningBinary;
  beforeAll(async () => {
    nodeExporter = await startNodeExporterOnFixtures();
  });
  afterAll(async () => {
    await nodeExporter?.stop();
  });

  it('gives, series by series, the numbers our /proc reader reads from the same tree', async () => {
    const { batches, problems } = await scrape({ job: 'node', url: `${nodeExporter.url}/metrics`, timeoutMs: 5000 });
    expect(problems).toEqual([]);
    expect(batches.map((b) => b.source)).toEqual(['prom.node']);
    const scraped = batches[0]?.samples ?? [];
    expect(scraped.every((s) => s.labels.job === 'node')).toBe(true);
    const withoutJob = (samples: Sample[]): Sample[] => samples.map(({ name, labels: { job: _job, ...labels }, value }) => ({ name, labels, value }));
    const theirs = seriesOf(withoutJob(scraped));
    expect(theirs.get('node_memory_MemTotal_bytes')).toBe(3.831959552e9);
    expect(theirs.get('node_load1')).toBe(0.21);
    expect([...theirs].filter(([key]) => key.startsWith('node_scrape_collector_success')).map(([, value]) => value)).toEqual([1, 1, 1, 1, 1]);

    const ours = await createCollector(
      createHostFiles({ procRoot: fixturePath('node_exporter', 'proc'), sysRoot: fixturePath('node_exporter', 'sys') }),
      defaultSources({ topProcesses: 15, pageSizeBytes: 4096 }),
    ).collect(0);
    expect(ours.problems).toEqual([]);
    const oursBySeries = seriesOf(ours.batches.flatMap((b) => b.samples));

    for (const [family, include] of Object.entries(oracleFamilies)) {
      const theirFamily = [...theirs].filter(([key]) => include(key.split('{')[0] ?? ''));
      expect([family, theirFamily.length]).not.toEqual([family, 0]);
      const ourFamily = theirFamily.map(([key]): [string, number | undefined] => [key, oursBySeries.get(key)]);
      expect([family, ourFamily]).toEqual([family, theirFamily]);
    }
  });
});
