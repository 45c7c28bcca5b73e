/**
 * What the console adds to the scorer's HTTP port, over real HTTP on a memory bus: its JSON API
 * (overview, nodes, a node's anomalies with their band, reports by id), the pages and their bundle,
 * the token guard beyond loopback, and the proxy to a notifier in another process.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import { deterministicId } from '../src/codec/ids.js';
import type { Anomaly, AnomalyState, DiagnosisReport, Entity } from '../src/codec/records.generated.js';
import { startHost, type Host } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { scorer } from '../services/scorer/scorer.service.js';
import { spawnVigil } from './support/vigil-process.js';

const T0 = Date.UTC(2026, 10, 25, 7, 0, 0);
const GiB = 1024 ** 3;
const token = 'console-test-token-0123456789';
const node: Entity = { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null };
const pod: Entity = { cluster: 'prod-eu', node: 'worker-7', namespace: 'shop', pod: 'cart-7f9c', container: null };

function anomaly(id: string, entity: Entity, state: AnomalyState, observedAtMs: number, value: number, kind: Anomaly['kind'] = 'DIP'): Anomaly {
  return {
    eventId: deterministicId(id, state, observedAtMs), id, entity,
    metric: 'node_memory_MemAvailable_bytes', series: 'node_memory_MemAvailable_bytes{}', labels: {}, kind, state,
    severity: 'CRITICAL', score: 4.2, value, expectedLow: 7 * GiB, expectedHigh: 8 * GiB, models: ['robust-zscore'],
    openedAtMs: T0, observedAtMs, resolvedAtMs: state === 'RESOLVED' ? observedAtMs : null,
  };
}

const report: DiagnosisReport = {
  id: 'report-1', requestId: 'request-1', anomalyIds: ['a-node'], entity: node, scenario: 'MEMORY',
  rootCause: { code: 'MEMORY_LEAK_PROCESS', summary: 'python (pid 4242) grew its anonymous memory by 40 MiB/s' },
  evidence: [{ name: 'rss growth', value: 41_943_040, unit: 'bytes/s', detail: 'pid 4242 python' }],
  suggestions: [{ action: 'restart or fix python (pid 4242)', command: 'kill -TERM 4242', setting: null }],
  confidence: 0.9, severity: 'CRITICAL', kubernetes: {}, createdAtMs: T0 + 5_000,
  findings: [{ code: 'MEMORY_HIGH', summary: 'node memory 92 % used', confidence: 0.5, severity: 'WARNING' }], missingEvidence: ['Kubernetes: no cluster configured'],
};

const hosts: Host[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) await host.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function startScorer(env: Record<string, string> = {}, printed: string[] = []): Promise<{ host: Host; bus: MemoryBus; base: string }> {
  const bus = new MemoryBus();
  const host = await startHost({
    services: [scorer as unknown as ServiceDefinition],
    env: { VIGIL_HTTP_PORT: '0', VIGIL_SCORER_RESTORE_IDLE_MS: '50', VIGIL_LOG_LEVEL: 'warn', ...env },
    bus, logger: createLogger({ level: 'warn' }), print: (line) => printed.push(line),
  });
  hosts.push(host);
  await host.started;
  return { host, bus, base: `http://127.0.0.1:${host.httpPort}` };
}

async function publish(bus: MemoryBus, anomalies: Anomaly[], reports: DiagnosisReport[] = []): Promise<void> {
  await bus.produce('anomalies', anomalies.map((value) => ({ key: 'prod-eu/worker-7', value: codecFor('anomalies').encode(value) })));
  await bus.produce('diagnosis.reports', reports.map((value) => ({ key: 'prod-eu/worker-7', value: codecFor('diagnosis.reports').encode(value) })));
}

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

/** Polls until `check` passes (the memory bus delivers asynchronously). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('console API on the scorer', () => {
  it('shows open anomalies by kind and node, the worst nodes, a node page with its pods, steps and band, and reports by id', async () => {
    const printed: string[] = [];
    const { bus, base } = await startScorer({}, printed);
    expect(printed).toContain(`console: ${base}/`);

    await publish(bus, [
      anomaly('a-node', node, 'OPEN', T0, 4 * GiB),
      anomaly('a-node', node, 'UPDATE', T0 + 10_000, 3 * GiB),
      anomaly('a-pod', pod, 'OPEN', T0 + 1_000, 2 * GiB, 'LEVEL_SHIFT'),
      anomaly('a-old', node, 'OPEN', T0 - 60_000, 5 * GiB, 'SPIKE'),
      anomaly('a-old', node, 'RESOLVED', T0 - 30_000, 7.5 * GiB, 'SPIKE'),
    ], [report]);

    type Overview = { clusters: { key: string; score: number; grade: string }[]; openAnomalies: number; openByKind: Record<string, number>; worstNodes: { key: string; score: number; openAnomalies: number; lastReport: { id: string } | null }[] };
    const overview = await eventually(() => json<Overview>(`${base}/api/console/overview`), ({ body }) => body.openAnomalies === 2 && body.worstNodes[0]?.lastReport !== null && (body.worstNodes[0]?.score ?? 100) < 100);
    expect(overview.body.openByKind).toMatchObject({ DIP: 1, LEVEL_SHIFT: 1, SPIKE: 0 });
    expect(overview.body.clusters.map((cluster) => cluster.key)).toEqual(['prod-eu']);
    expect(overview.body.clusters[0]!.score).toBeLessThan(100);
    expect(overview.body.worstNodes[0]).toMatchObject({ key: 'prod-eu/worker-7', openAnomalies: 2, lastReport: { id: 'report-1' } });
    expect(overview.body.worstNodes[0]!.score).toBeLessThan(60);

    const nodes = await json<{ nodes: { key: string; grade: string }[] }>(`${base}/api/console/nodes`);
    expect(nodes.body.nodes).toEqual([expect.objectContaining({ key: 'prod-eu/worker-7', grade: 'CRITICAL' })]);

    type NodeDetail = { pods: { key: string }[]; anomalies: { id: string; open: boolean; state: string; steps: { atMs: number; value: number; expectedLow: number; expectedHigh: number }[] }[]; reports: { id: string }[] };
    const detail = await json<NodeDetail>(`${base}/api/console/nodes/prod-eu/worker-7`);
    expect(detail.status).toBe(200);
    expect(detail.body.pods.map((entry) => entry.key)).toEqual(['prod-eu/worker-7/shop/cart-7f9c']);
    expect(detail.body.anomalies.map((entry) => [entry.id, entry.open])).toEqual([['a-node', true], ['a-pod', true], ['a-old', false]]);
    expect(detail.body.anomalies[0]!.steps).toEqual([
      { atMs: T0, state: 'OPEN', severity: 'CRITICAL', score: 4.2, value: 4 * GiB, expectedLow: 7 * GiB, expectedHigh: 8 * GiB },
      { atMs: T0 + 10_000, state: 'UPDATE', severity: 'CRITICAL', score: 4.2, value: 3 * GiB, expectedLow: 7 * GiB, expectedHigh: 8 * GiB },
    ]);
    expect(detail.body.reports.map((entry) => entry.id)).toEqual(['report-1']);
    expect((await json(`${base}/api/console/nodes/prod-eu/nowhere`)).status).toBe(404);

    const open = await json<{ anomalies: { id: string }[] }>(`${base}/api/console/anomalies?node=worker-7&open=true&kind=DIP`);
    expect(open.body.anomalies.map((entry) => entry.id)).toEqual(['a-node']);
    const bad = await json<{ error: string; message: string }>(`${base}/api/console/anomalies?kind=WOBBLE`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('kind');

    const full = await json<DiagnosisReport>(`${base}/api/console/reports/report-1`);
    expect(full.body).toEqual(report);
    expect((await json(`${base}/api/console/reports/nope`)).status).toBe(404);
    const list = await json<{ reports: { id: string; rootCause: { code: string } }[] }>(`${base}/api/console/reports?cluster=prod-eu`);
    expect(list.body.reports).toEqual([expect.objectContaining({ id: 'report-1', rootCause: report.rootCause })]);
  });

  it('serves the pages at any path (deep links) with a bundle from the process, no CDN', async () => {
    const { base } = await startScorer();
    for (const path of ['/', '/nodes/prod-eu/worker-7', '/reports/report-1']) {
      const page = await fetch(`${base}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain('<script type="module" src="/assets/console.js">');
      expect(html).not.toMatch(/https?:\/\//);
    }
    const script = await fetch(`${base}/assets/console.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    const code = await script.text();
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).not.toMatch(/<script|https?:\/\/(?:cdn|unpkg|esm\.sh|jsdelivr)/);
    expect((await fetch(`${base}/assets/console.css`)).status).toBe(200);
    expect((await fetch(`${base}/assets/..%2Fconsole.ts`)).status).toBe(404);
    expect((await fetch(`${base}/api/console/unknown`)).status).toBe(404);
  });
});

describe('token guard', () => {
  it('refuses to start beyond loopback without VIGIL_CONSOLE_TOKEN, naming the variable', async () => {
    const bus = new MemoryBus();
    const host = await startHost({
      services: [scorer as unknown as ServiceDefinition],
      env: { VIGIL_HTTP_PORT: '0', VIGIL_HTTP_HOST: '0.0.0.0', VIGIL_SCORER_RESTORE_IDLE_MS: '50' },
      bus, logger: createLogger({ level: 'silent' }), print: () => undefined,
    });
    hosts.push(host);
    await expect(host.started).rejects.toMatchObject({ code: 'VIGIL_CONFIG', message: expect.stringContaining('VIGIL_CONSOLE_TOKEN is required: VIGIL_HTTP_HOST=0.0.0.0') });
  });

  it('`vigil run scorer` on 0.0.0.0 without the token exits 2 naming VIGIL_CONSOLE_TOKEN', async () => {
    const process = spawnVigil(['run', 'scorer'], { VIGIL_HTTP_HOST: '0.0.0.0', VIGIL_HTTP_PORT: '0', VIGIL_CONSOLE_TOKEN: '', VIGIL_LOG_LEVEL: 'silent' });
    expect(await process.exited()).toBe(2);
    expect(process.stderr.join('\n')).toContain('VIGIL_CONSOLE_TOKEN is required: VIGIL_HTTP_HOST=0.0.0.0 is not a loopback address');
  });

  it('beyond loopback, /api and pages want the token (bearer, cookie or ?token=); /healthz, /readyz, /metrics stay open', async () => {
    const printed: string[] = [];
    const { host } = await startScorer({ VIGIL_HTTP_HOST: '0.0.0.0', VIGIL_CONSOLE_TOKEN: token }, printed);
    const base = `http://127.0.0.1:${host.httpPort}`;
    expect(printed.find((line) => line.startsWith('console: '))).toMatch(/^console: http:\/\/.+:\d+\/ \(token required: VIGIL_CONSOLE_TOKEN; open it once as \?token=<token>\)$/);

    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`${base}${path}`)).status).toBe(200);

    const refused = await json<{ error: string; message: string }>(`${base}/api/health`);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: 'UNAUTHORIZED', message: expect.stringContaining('VIGIL_CONSOLE_TOKEN') });
    expect((await fetch(`${base}/api/console/overview`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/assets/console.js`)).status).toBe(401);

    expect((await fetch(`${base}/api/console/overview`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    const opened = await fetch(`${base}/nodes?token=${token}`, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/nodes');
    const cookie = opened.headers.get('set-cookie')!.split(';', 1)[0]!;
    expect(cookie).toBe(`vigil_console_token=${token}`);
    expect(opened.headers.get('set-cookie')).toContain('HttpOnly');
    const withCookie = await fetch(`${base}/nodes`, { headers: { cookie } });
    expect(withCookie.status).toBe(200);
    expect(await withCookie.text()).toContain('/assets/console.js');
    expect((await fetch(`${base}/api/health`, { headers: { cookie } })).status).toBe(200);
  });

  it('on loopback asks no token, but answers only to loopback names (no DNS rebinding)', async () => {
    const { host, base } = await startScorer({ VIGIL_CONSOLE_TOKEN: token });
    expect((await fetch(`${base}/api/console/overview`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`http://localhost:${host.httpPort}/api/health`)).status).toBe(200);
    // fetch() will not set Host; a raw request does, as a browser does for a rebound name.
    const { request } = await import('node:http');
    const status = (path: string, hostHeader: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port: host.httpPort, path, headers: { host: hostHeader } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => { body += chunk.toString(); });
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
    const rebound = await status('/api/silences', `evil.example:${host.httpPort}`);
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('VIGIL_CONSOLE_TOKEN');
    expect((await status('/', 'evil.example')).status).toBe(403);
    expect((await status('/healthz', 'evil.example')).status).toBe(200);
    expect((await status('/api/console/overview', `127.0.0.1:${host.httpPort}`)).status).toBe(200);
  });
});

describe('notifier in another process (VIGIL_NOTIFIER_URL)', () => {
  it('forwards silences and notifications with their status and body, and names the variable when the notifier is down', async () => {
    const seen: { method: string; url: string; body: string }[] = [];
    const notifier = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      request.on('end', () => {
        seen.push({ method: request.method!, url: request.url!, body });
        response.setHeader('content-type', 'application/json');
        if (request.method === 'POST') {
          const input = JSON.parse(body) as { matchers: string[] };
          if (input.matchers.length === 0) {
            response.statusCode = 400;
            response.end(JSON.stringify({ error: 'BAD_REQUEST', message: 'matchers: at least one' }));
            return;
          }
          response.statusCode = 201;
          response.end(JSON.stringify({ id: 's1', ...input, status: 'active' }));
          return;
        }
        if (request.method === 'DELETE') {
          response.end(JSON.stringify({ id: 's1', status: 'expired' }));
          return;
        }
        response.end(JSON.stringify(request.url!.startsWith('/api/notifications') ? { notifications: [] } : { silences: [] }));
      });
    });
    servers.push(notifier);
    await new Promise<void>((resolve) => notifier.listen(0, '127.0.0.1', resolve));
    const address = notifier.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    const { base } = await startScorer({ VIGIL_NOTIFIER_URL: `http://127.0.0.1:${address.port}` });

    expect(await json(`${base}/api/silences`)).toEqual({ status: 200, body: { silences: [] } });
    const created = await json(`${base}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ matchers: ['node=worker-7'], duration: '2h', createdBy: 'sre', comment: 'maintenance' }) });
    expect(created).toEqual({ status: 201, body: { id: 's1', matchers: ['node=worker-7'], duration: '2h', createdBy: 'sre', comment: 'maintenance', status: 'active' } });
    const invalid = await json(`${base}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ matchers: [] }) });
    expect(invalid).toEqual({ status: 400, body: { error: 'BAD_REQUEST', message: 'matchers: at least one' } });
    expect(await json(`${base}/api/silences/s1`, { method: 'DELETE' })).toEqual({ status: 200, body: { id: 's1', status: 'expired' } });
    expect(await json(`${base}/api/notifications?since=1h&limit=5`)).toEqual({ status: 200, body: { notifications: [] } });
    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /api/silences', 'POST /api/silences', 'POST /api/silences', 'DELETE /api/silences/s1', 'GET /api/notifications?since=1h&limit=5',
    ]);

    await new Promise((resolve) => notifier.close(resolve));
    servers.splice(0);
    const down = await json<{ error: string; message: string }>(`${base}/api/silences`);
    expect(down.status).toBe(502);
    expect(down.body.message).toContain('VIGIL_NOTIFIER_URL');
  });
});
