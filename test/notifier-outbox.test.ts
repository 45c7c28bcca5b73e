/**
 * The notifier's durable outbox on the memory bus, with a manual clock (a 10-minute outage is
 * simulated, not waited for) and a real local webhook receiver that counts what arrived:
 * - the receiver is down for 10 minutes, then answers 429s: every notification arrives exactly once
 *   (what piled up as one digest), none twice, none lost;
 * - an instance crashes (no commit) while its receiver is down: the next instance sends what the
 *   first accepted but could not send, and nothing the first had sent;
 * - health.updates and anomalies are notified where a route matches them, with resolved messages
 *   for a receiver that asks for them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '../src/bus/bus.js';
import { partitionForKey } from '../src/bus/murmur2.js';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import type { Anomaly, DiagnosisReport, HealthUpdate, Notification } from '../src/codec/records.generated.js';
import { startRecordingServer, type Reply } from '../services/notifier/channels/testdata/recording-server.js';
import { memoryGrowthReport } from '../services/notifier/core/testdata/report.js';
import { intakeEntries, loadRoutingConfig, type NotifierHandle } from '../services/notifier/notifier.service.js';
import { deliveriesById, duplicatesAndLosses, startNotifierInstance } from '../services/notifier/testdata/instance.js';
import { ManualTimers } from '../services/notifier/testdata/manual-timers.js';
import { observeTopic, type TopicObserver } from './support/topic-observer.js';

const T0 = Date.UTC(2026, 10, 25, 3, 0, 0);
const MINUTE = 60_000;
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-notifier-outbox-'));
let server: Awaited<ReturnType<typeof startRecordingServer>>;
/** Bodies the receiver accepted (2xx). */
const delivered: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startRecordingServer(() => ({ status: 204 }));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  delivered.length = 0;
  server.requests.length = 0;
});

function configFile(name: string, yaml: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

const hookConfig = (routes = '') => `
route:
  receiver: hook
  group_by: ['...']
  group_wait: 0s
  group_interval: 1m
${routes}
receivers:
  - name: hook
    channels:
      - type: webhook
        name: hook
        url: ${server.origin}/hook
        secret: outbox-secret
        rate_limit: 1/s
        send_resolved: true
`;

/** Answers with `reply` and keeps the body of every accepted request. */
function receiver(reply: () => Reply): void {
  server.setReply((request) => {
    const result = reply();
    if (result.status >= 200 && result.status < 300) delivered.push(request.body);
    return result;
  });
}

/** The bus with commits every 20 ms, so what a crash leaves committed is what `retainFrom` allowed. */
function committingOften(bus: MemoryBus): Bus {
  return {
    kind: bus.kind,
    connect: () => bus.connect(),
    close: () => bus.close(),
    produce: (topic, records) => bus.produce(topic, records),
    subscribe: (options) => bus.subscribe({ ...options, commitIntervalMs: 20 }),
  };
}

async function start(bus: Bus, timers: ManualTimers, env: Record<string, string>): Promise<NotifierHandle> {
  const handle = await startNotifierInstance(bus, { VIGIL_NOTIFIER_RETRY_BASE_MS: '1000', ...env }, { timers });
  cleanups.push(() => handle.close());
  return handle;
}

async function observe(bus: MemoryBus): Promise<TopicObserver<Notification>> {
  const observer = await observeTopic(bus, 'notifications', { group: `observer-${Math.random()}` });
  cleanups.push(() => observer.close());
  return observer;
}

const report = (n: number, atMs: number): DiagnosisReport => ({
  ...memoryGrowthReport,
  id: `report-${String(n).padStart(3, '0')}`,
  entity: { ...memoryGrowthReport.entity, node: `worker-${n}` },
  createdAtMs: atMs,
});

async function publish(bus: Bus, item: DiagnosisReport): Promise<void> {
  await bus.produce('diagnosis.reports', [{ key: `${item.entity.cluster}/${item.entity.node}`, value: codecFor('diagnosis.reports').encode(item) }]);
}

/** Real time for the bus and HTTP to catch up, until `condition` (fails after 10 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Moves the manual clock in `stepMs` steps, letting real I/O run between, until `condition` or `maxMs` of manual time. */
async function advanceUntil(timers: ManualTimers, condition: () => boolean, stepMs: number, maxMs: number, what: string): Promise<void> {
  for (let moved = 0; !condition(); moved += stepMs) {
    if (moved > maxMs) throw new Error(`no ${what} within ${maxMs / MINUTE} simulated minutes`);
    timers.advance(stepMs);
    await sleep(3);
  }
}

/** Lets every timer run for `minutes` of manual time (group intervals, retries): nothing more may arrive. */
async function runFor(timers: ManualTimers, minutes: number): Promise<void> {
  const end = timers.now() + minutes * MINUTE;
  await advanceUntil(timers, () => timers.now() >= end, 10_000, minutes * MINUTE + 10_000, 'end');
}

describe('notifier outbox', () => {
  it('waits out a 10-minute outage and then 429s: every notification arrives exactly once, the backlog as one digest', async () => {
    const timers = new ManualTimers(T0);
    const outageEndsAt = T0 + 10 * MINUTE;
    let limited = 0;
    receiver(() => {
      if (timers.now() < outageEndsAt) return { status: 503, body: 'down for maintenance' };
      if (limited < 3) {
        limited++;
        return { status: 429, headers: { 'retry-after': '5' }, body: 'slow down' };
      }
      return { status: 204 };
    });
    const bus = new MemoryBus();
    const handle = await start(bus, timers, { VIGIL_NOTIFIER_CONFIG: configFile('outage.yaml', hookConfig()) });
    const notifications = await observe(bus);

    // 20 reports during the outage, one every 30 simulated seconds: all accepted, none sent.
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) {
      const item = report(n, timers.now());
      ids.push(item.id);
      await publish(bus, item);
      await until(() => handle.pendingCount() === n + 1, `report ${n} in the outbox`);
      timers.advance(30_000);
      await sleep(2);
    }
    expect(delivered).toHaveLength(0);
    await advanceUntil(timers, () => deliveriesById(delivered).size >= 20, 1000, 15 * MINUTE, 'backlog delivered');

    // After the outage: 5 more, 2 s apart, each sent on its own within the channel's 1/s bucket.
    for (let n = 20; n < 25; n++) {
      const item = report(n, timers.now());
      ids.push(item.id);
      await publish(bus, item);
      await advanceUntil(timers, () => deliveriesById(delivered).has(item.id), 200, MINUTE, `report ${n} delivered`);
      timers.advance(2_000);
    }
    await runFor(timers, 30);

    const { duplicates, losses } = duplicatesAndLosses(deliveriesById(delivered), ids);
    console.log(`outage test: ${ids.length} notifications, ${duplicates} duplicates, ${losses} lost; ${server.requests.length} requests (${delivered.length} accepted, ${limited} answered 429)`);
    expect({ duplicates, losses }).toEqual({ duplicates: 0, losses: 0 });
    expect(limited).toBe(3);
    expect(delivered).toHaveLength(6);
    const digest = JSON.parse(delivered[0]!) as { digestOf?: unknown[]; title: string };
    expect(digest.digestOf).toHaveLength(20);
    expect(digest.title).toMatch(/^20 notifications/);
    // Every attempt is on the notifications topic: 503s and 429s as FAILED, then one SENT per report.
    await until(() => notifications.records.filter((n) => n.status === 'SENT').length === 25, 'SENT records');
    expect(notifications.records.some((n) => n.status === 'FAILED' && /HTTP 503/.test(n.error ?? ''))).toBe(true);
    expect(notifications.records.some((n) => n.status === 'FAILED' && /HTTP 429/.test(n.error ?? ''))).toBe(true);
    expect(new Set(notifications.records.filter((n) => n.status === 'SENT').flatMap((n) => n.sourceIds))).toEqual(new Set(ids));
  });

  it('after a crash mid-delivery the next instance sends what was accepted and not sent, and nothing twice', async () => {
    const timers = new ManualTimers(T0);
    let down = false;
    receiver(() => (down ? { status: 503 } : { status: 204 }));
    const memory = new MemoryBus();
    const bus = committingOften(memory);
    const env = { VIGIL_NOTIFIER_CONFIG: configFile('crash.yaml', hookConfig()) };
    const first = await start(bus, timers, env);

    const ids: string[] = [];
    for (let n = 0; n < 2; n++) {
      const item = report(100 + n, timers.now());
      ids.push(item.id);
      await publish(bus, item);
    }
    await advanceUntil(timers, () => deliveriesById(delivered).size === 2, 500, MINUTE, 'the first two sent');

    down = true;
    for (let n = 2; n < 7; n++) {
      const item = report(100 + n, timers.now());
      ids.push(item.id);
      await publish(bus, item);
    }
    await until(() => first.pendingCount() === 5, 'five accepted');
    timers.advance(2_000);
    await sleep(100);
    expect(deliveriesById(delivered).size).toBe(2);
    await first.crash();

    down = false;
    await start(bus, timers, env);
    await advanceUntil(timers, () => deliveriesById(delivered).size === 7, 1000, 5 * MINUTE, 'all seven sent');
    await runFor(timers, 20);
    const { duplicates, losses } = duplicatesAndLosses(deliveriesById(delivered), ids);
    console.log(`crash test: ${ids.length} notifications, ${duplicates} duplicates, ${losses} lost`);
    expect({ duplicates, losses }).toEqual({ duplicates: 0, losses: 0 });
  });

  it('notifies a health grade falling to CRITICAL and its recovery, and an anomaly and its resolution, where routed', async () => {
    const timers = new ManualTimers(T0);
    receiver(() => ({ status: 204 }));
    const bus = new MemoryBus();
    const routes = `  routes:
    - matchers: ['kind=~"health|anomaly"']
      receiver: hook`;
    await start(bus, timers, { VIGIL_NOTIFIER_CONFIG: configFile('inputs.yaml', hookConfig(routes)) });
    const entity = { cluster: 'prod-eu', node: 'worker-3', namespace: null, pod: null, container: null };
    const health = (grade: HealthUpdate['grade'], score: number, atMs: number): HealthUpdate => ({
      id: `h-${grade}-${atMs}`, entity, level: 'NODE', score, grade, items: [], timestampMs: atMs, explanation: `prod-eu/worker-3 ${score} (${grade})`,
    });
    const healthCodec = codecFor('health.updates');
    const publishHealth = (update: HealthUpdate) => bus.produce('health.updates', [{ key: 'prod-eu/worker-3', value: healthCodec.encode(update) }]);

    await publishHealth(health('WARNING', 70, timers.now()));
    await publishHealth(health('CRITICAL', 35, timers.now() + 1));
    await advanceUntil(timers, () => delivered.length === 1, 1000, MINUTE, 'the CRITICAL health message');
    expect(JSON.parse(delivered[0]!)).toMatchObject({ status: 'firing', severity: 'CRITICAL', title: expect.stringContaining('CRITICAL health of node prod-eu/worker-3') });

    await publishHealth(health('HEALTHY', 96, timers.now()));
    await advanceUntil(timers, () => delivered.length === 2, 5_000, 3 * MINUTE, 'the recovery message');
    expect(JSON.parse(delivered[1]!)).toMatchObject({ status: 'resolved', title: expect.stringContaining('RECOVERED') });

    const anomaly: Anomaly = {
      eventId: 'e-open', id: 'anomaly-1', entity, metric: 'node_load1', series: 'node_load1{}', labels: {}, kind: 'SPIKE', state: 'OPEN',
      severity: 'WARNING', score: 2.1, value: 48, expectedLow: 0, expectedHigh: 8, models: ['robust-zscore'], openedAtMs: timers.now(), observedAtMs: timers.now(), resolvedAtMs: null,
    };
    const anomalyCodec = codecFor('anomalies');
    await bus.produce('anomalies', [{ key: 'prod-eu/worker-3', value: anomalyCodec.encode(anomaly) }]);
    await advanceUntil(timers, () => delivered.length === 3, 1000, MINUTE, 'the anomaly message');
    expect(JSON.parse(delivered[2]!)).toMatchObject({ status: 'firing', reportId: 'anomaly-1', title: expect.stringContaining('SPIKE anomaly of node_load1') });

    // Worse (CRITICAL): told as a CRITICAL alert, the WARNING one resolved; then resolved: the CRITICAL one resolved.
    await bus.produce('anomalies', [{ key: 'prod-eu/worker-3', value: anomalyCodec.encode({ ...anomaly, eventId: 'e-up', state: 'UPDATE', severity: 'CRITICAL', observedAtMs: timers.now() }) }]);
    await bus.produce('anomalies', [{ key: 'prod-eu/worker-3', value: anomalyCodec.encode({ ...anomaly, eventId: 'e-res', state: 'RESOLVED', severity: 'CRITICAL', observedAtMs: timers.now(), resolvedAtMs: timers.now() }) }]);
    await advanceUntil(timers, () => delivered.length >= 6, 5_000, 5 * MINUTE, 'the anomaly resolved messages');
    await runFor(timers, 30);
    const told = delivered.map((body) => JSON.parse(body) as { status: string; reportId: string; title: string });
    expect(told.slice(0, 2).map((body) => [body.status, body.reportId])).toEqual([['firing', `h-CRITICAL-${T0 + 1}`], ['resolved', expect.stringMatching(/^h-HEALTHY-/)]]);
    expect(told.slice(2).map((body) => `${body.status} ${body.title.split(' SPIKE')[0]}`).sort()).toEqual([
      'firing CRITICAL', 'firing WARNING', 'resolved RESOLVED', 'resolved RESOLVED',
    ]);
    expect(told.slice(2).every((body) => body.reportId === 'anomaly-1')).toBe(true);
  });

  it('records a refused notification FAILED once, and gives up on a receiver down longer than the give-up age', async () => {
    const timers = new ManualTimers(T0);
    let answer = 400;
    receiver(() => ({ status: answer, body: 'invalid payload' }));
    const bus = new MemoryBus();
    await start(bus, timers, { VIGIL_NOTIFIER_CONFIG: configFile('refused.yaml', hookConfig()), VIGIL_NOTIFIER_GIVE_UP_MS: String(5 * MINUTE) });
    const notifications = await observe(bus);

    await publish(bus, report(200, timers.now()));
    await until(() => notifications.records.some((n) => n.status === 'FAILED'), 'the refusal');
    await runFor(timers, 10);
    expect(server.requests).toHaveLength(1);
    expect(notifications.records.map((n) => [n.status, n.attempts, n.error])).toEqual([['FAILED', 1, expect.stringContaining('HTTP 400')]]);

    answer = 503;
    await publish(bus, report(201, timers.now()));
    await advanceUntil(timers, () => notifications.records.some((n) => n.sourceIds.includes('report-201') && n.status === 'FAILED' && !/retrying/.test(n.error ?? '')), 10_000, 10 * MINUTE, 'giving up');
    const attempts = server.requests.length;
    await runFor(timers, 30);
    expect(server.requests.length).toBe(attempts);
    const last = notifications.records.filter((n) => n.sourceIds.includes('report-201')).at(-1)!;
    expect(last).toMatchObject({ status: 'FAILED', error: expect.stringContaining('HTTP 503') });
    expect(last.error).not.toMatch(/retrying/);
    expect(last.attempts).toBeGreaterThan(3);
  });

  it.each([
    ['a previous owner finishing a send is waited for', undefined, 1],
    ['without the takeover grace the new owner sends it again', '0', 2],
  ])('rebalance while a send is in flight: %s', async (_name, grace, expected) => {
    const timers = new ManualTimers(T0);
    // A receiver that holds each request 400 ms before accepting it.
    const accepted: string[] = [];
    let received = 0;
    const slow = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received++;
        setTimeout(() => {
          accepted.push(Buffer.concat(chunks).toString('utf8'));
          response.writeHead(204).end();
        }, 400);
      });
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => slow.close(() => resolve())));
    const file = configFile('slow.yaml', hookConfig().replace(server.origin, `http://127.0.0.1:${(slow.address() as AddressInfo).port}`));
    const env = { VIGIL_NOTIFIER_CONFIG: file, ...(grace !== undefined ? { VIGIL_NOTIFIER_TAKEOVER_GRACE_MS: grace } : {}) };

    // A report whose group lands in an outbox partition the second member will get (the memory bus deals partitions in turn).
    const routing = loadRoutingConfig(file, { email: false });
    let n = 300;
    while (partitionForKey(Buffer.from(intakeEntries(routing, { type: 'report', record: report(n, T0) }, T0, 3_600_000)[0]!.key), 4) % 2 !== 1) n++;
    const bus = new MemoryBus();
    await start(bus, timers, env);
    await publish(bus, report(n, T0));
    await until(() => received === 1, 'the first send in flight');

    await start(bus, timers, env);
    await sleep(600);
    expect(accepted).toHaveLength(expected);
    await runFor(timers, 15);
    await sleep(600);
    expect(accepted).toHaveLength(expected);
  });
});
