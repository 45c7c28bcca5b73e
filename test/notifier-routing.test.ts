/**
 * The notifier service with a routing config on the memory bus: a CRITICAL report routed to a
 * signed webhook that a local HTTP receiver verifies, a 429 retried, a silence recorded as
 * SUPPRESSED instead of a send, and a bad routing file refused naming the bad key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import type { DiagnosisReport, Notification } from '../src/codec/records.generated.js';
import { startHost, type Host } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { startRecordingServer } from '../services/notifier/channels/testdata/recording-server.js';
import { verifyWebhookSignature } from '../services/notifier/channels/webhook.js';
import { memoryGrowthReport } from '../services/notifier/core/testdata/report.js';
import { notifier } from '../services/notifier/notifier.service.js';
import { observeTopic, type TopicObserver } from './support/topic-observer.js';

const secret = 'whsec-routing-SECRET';
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-notifier-routing-'));
let server: Awaited<ReturnType<typeof startRecordingServer>>;
const hosts: Host[] = [];
const observers: TopicObserver<Notification>[] = [];

beforeAll(async () => {
  server = await startRecordingServer((request) => (verifyWebhookSignature(request.body, request.headers, secret, 300) ? { status: 204 } : { status: 401 }));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(observers.splice(0).map((observer) => observer.close()));
  for (const host of hosts.splice(0)) await host.close();
  server.requests.length = 0;
  server.setReply((request) => (verifyWebhookSignature(request.body, request.headers, secret, 300) ? { status: 204 } : { status: 401 }));
});

function writeConfig(name: string, yaml: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

const criticalToWebhook = () => `
route:
  receiver: default
  group_by: ['...']
  group_wait: 0s
  routes:
    - matchers: ['severity="CRITICAL"']
      receiver: oncall
receivers:
  - name: default
    channels:
      - type: stdout
  - name: oncall
    channels:
      - type: webhook
        name: oncall-hook
        webhook_url: ${server.origin}/hooks/oncall
        secret: ${secret}
`;

async function startNotifier(bus: MemoryBus, env: Record<string, string>, print: (line: string) => void = () => undefined, http = false): Promise<Host> {
  const host = await startHost({
    services: [notifier as unknown as ServiceDefinition],
    env: { VIGIL_LOG_LEVEL: 'error', VIGIL_NOTIFIER_RETRY_BASE_MS: '10', VIGIL_HTTP_PORT: '0', ...env },
    bus,
    http,
    logger: createLogger({ level: 'error' }),
    print,
  });
  hosts.push(host);
  await host.started;
  return host;
}

async function observeNotifications(bus: MemoryBus): Promise<TopicObserver<Notification>> {
  const observer = await observeTopic(bus, 'notifications', { group: `observer-${Date.now()}-${observers.length}` });
  observers.push(observer);
  return observer;
}

async function publishReport(bus: MemoryBus, report: DiagnosisReport): Promise<void> {
  await bus.produce('diagnosis.reports', [{ key: `${report.entity.cluster}/${report.entity.node}`, value: codecFor('diagnosis.reports').encode(report) }]);
}

const report = (id: string, overrides: Partial<DiagnosisReport> = {}): DiagnosisReport => ({ ...memoryGrowthReport, id, createdAtMs: Date.now() - 1_000, ...overrides });

describe('notifier with a routing config', () => {
  it('routes a CRITICAL report to the signed webhook, once, and records it SENT; a WARNING goes to stdout', async () => {
    const bus = new MemoryBus();
    const printed: string[] = [];
    await startNotifier(bus, { VIGIL_NOTIFIER_CONFIG: writeConfig('critical.yaml', criticalToWebhook()) }, (line) => printed.push(line));
    const notifications = await observeNotifications(bus);

    const critical = report('0000000000000000000000000000c001');
    await publishReport(bus, critical);
    const sent = await notifications.waitFor((n) => n.channel === 'webhook' && n.sourceIds.includes(critical.id), 10_000);
    expect(sent).toMatchObject({ status: 'SENT', receiver: 'oncall-hook', attempts: 1, error: null });
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.url).toBe('/hooks/oncall');
    expect(verifyWebhookSignature(request.body, request.headers, secret, 300)).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({ version: '1', status: 'firing', severity: 'CRITICAL', reportId: critical.id });
    expect(printed).toEqual([]);

    const warning = report('0000000000000000000000000000a001', { severity: 'WARNING', entity: { ...memoryGrowthReport.entity, node: 'worker-8' } });
    await publishReport(bus, warning);
    await notifications.waitFor((n) => n.channel === 'stdout' && n.sourceIds.includes(warning.id) && n.status === 'SENT', 10_000);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('worker-8');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429 honouring Retry-After and publishes each attempt', async () => {
    const bus = new MemoryBus();
    let calls = 0;
    server.setReply(() => (++calls === 1 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 204 }));
    await startNotifier(bus, { VIGIL_NOTIFIER_CONFIG: writeConfig('retry.yaml', criticalToWebhook()) });
    const notifications = await observeNotifications(bus);

    const critical = report('0000000000000000000000000000c002');
    await publishReport(bus, critical);
    const sent = await notifications.waitFor((n) => n.channel === 'webhook' && n.status === 'SENT', 10_000);
    expect(sent.attempts).toBe(2);
    const attempts = notifications.records.filter((n) => n.sourceIds.includes(critical.id));
    expect(attempts.map((n) => [n.status, n.attempts])).toEqual([['FAILED', 1], ['SENT', 2]]);
    expect(attempts[0]!.error).toMatch(/retrying: .*HTTP 429/);
    expect(server.requests).toHaveLength(2);
  });

  it('groups reports that arrive within group_wait into one request when the timer fires', async () => {
    const bus = new MemoryBus();
    const yaml = criticalToWebhook().replace("group_by: ['...']\n  group_wait: 0s", 'group_by: [cluster, node]\n  group_wait: 300ms');
    await startNotifier(bus, { VIGIL_NOTIFIER_CONFIG: writeConfig('grouped.yaml', yaml) });
    const notifications = await observeNotifications(bus);

    const now = Date.now();
    const first = report('0000000000000000000000000000b001', { createdAtMs: now });
    const second = report('0000000000000000000000000000b002', { createdAtMs: now + 1, rootCause: { ...memoryGrowthReport.rootCause, code: 'MEMORY_LEAK_CONTAINER' } });
    await publishReport(bus, first);
    await publishReport(bus, second);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requests).toHaveLength(0);
    const sent = await notifications.waitFor((n) => n.channel === 'webhook' && n.status === 'SENT', 10_000);
    expect([...sent.sourceIds].sort()).toEqual([first.id, second.id]);
    expect(sent.dedupKey).toMatch(/^group:/);
    expect(server.requests).toHaveLength(1);
    const body = JSON.parse(server.requests[0]!.body) as { title: string; reportId: string };
    expect(body.reportId).toBe(second.id);
    expect(body.title).toMatch(/and 1 more$/);
  });

  it('without a config prints every report once, also two reports about the same entity and cause', async () => {
    const bus = new MemoryBus();
    const printed: string[] = [];
    await startNotifier(bus, {}, (line) => printed.push(line));
    const notifications = await observeNotifications(bus);
    const first = report('0000000000000000000000000000d001');
    const second = report('0000000000000000000000000000d002');
    await publishReport(bus, first);
    await publishReport(bus, first);
    await publishReport(bus, second);
    await notifications.waitFor((n) => n.sourceIds.includes(second.id) && n.status === 'SENT', 10_000);
    expect(printed).toHaveLength(2);
    expect(notifications.records.map((n) => [n.channel, n.status, n.sourceIds])).toEqual([
      ['stdout', 'SENT', [first.id]],
      ['stdout', 'SENT', [second.id]],
    ]);
  });

  it('records a silenced report as SUPPRESSED instead of sending it', async () => {
    const bus = new MemoryBus();
    const printed: string[] = [];
    const host = await startNotifier(bus, {}, (line) => printed.push(line), true);
    const notifications = await observeNotifications(bus);
    const response = await fetch(`http://127.0.0.1:${host.httpPort}/api/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ matchers: ['node="worker-7"'], duration: '1h', createdBy: 'ops', comment: 'maintenance of worker-7' }),
    });
    expect(response.status).toBe(201);
    const silenceId = ((await response.json()) as { id: string }).id;

    const muted = report('0000000000000000000000000000e001');
    await publishReport(bus, muted);
    const record = await notifications.waitFor((n) => n.sourceIds.includes(muted.id), 10_000);
    expect(record).toMatchObject({ channel: 'stdout', status: 'SUPPRESSED', attempts: 0, error: `silenced by ${silenceId}` });

    const other = report('0000000000000000000000000000e002', { entity: { ...memoryGrowthReport.entity, node: 'worker-9' } });
    await publishReport(bus, other);
    await notifications.waitFor((n) => n.sourceIds.includes(other.id) && n.status === 'SENT', 10_000);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('worker-9');
    expect(notifications.records.filter((n) => n.sourceIds.includes(muted.id)).map((n) => n.status)).toEqual(['SUPPRESSED']);
  });

  it('refuses a routing file with a bad key, naming the file and the path of the key', async () => {
    const file = writeConfig('bad.yaml', criticalToWebhook().replace("matchers: ['severity=\"CRITICAL\"']", "matchers: ['severity']"));
    const host = startNotifier(new MemoryBus(), { VIGIL_NOTIFIER_CONFIG: file });
    await expect(host).rejects.toMatchObject({ code: 'VIGIL_CONFIG', message: expect.stringContaining(`${file}: route.routes[0].matchers[0]`) });
  });

  it('refuses a channel with a bad config, naming the receiver and channel', async () => {
    const file = writeConfig('bad-channel.yaml', criticalToWebhook().replace(`secret: ${secret}`, ''));
    await expect(startNotifier(new MemoryBus(), { VIGIL_NOTIFIER_CONFIG: file })).rejects.toMatchObject({
      code: 'VIGIL_CONFIG',
      message: expect.stringContaining('receivers.oncall.channels[0] (webhook)'),
    });
  });
});
