/**
 * Silences and the alert history through the notifier's HTTP API, as the console and
 * `vigil silence` use it: create / list / expire with the contract's shapes and errors naming the
 * bad field, silences kept across a restart and shared by two instances (through the
 * notifier.silences topic, no disk), the history of the notifications topic, and the real `vigil`
 * command against a running notifier.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import type { DiagnosisReport } from '../src/codec/records.generated.js';
import { startHost, type Host } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { memoryGrowthReport } from '../services/notifier/core/testdata/report.js';
import { callNotifier } from '../services/notifier/commands/cli.js';
import { notifier } from '../services/notifier/notifier.service.js';
import { spawnVigil } from './support/vigil-process.js';

const hosts: Host[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0).reverse()) await host.close();
});

async function startNotifier(bus: MemoryBus, printed: string[] = []): Promise<{ host: Host; url: string }> {
  const host = await startHost({
    services: [notifier as unknown as ServiceDefinition],
    env: { VIGIL_LOG_LEVEL: 'error', VIGIL_HTTP_PORT: '0' },
    bus,
    logger: createLogger({ level: 'error' }),
    print: (line) => printed.push(line),
  });
  hosts.push(host);
  await host.started;
  return { host, url: `http://127.0.0.1:${host.httpPort}` };
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: response.status, json: await response.json() };
}

const silenceBody = { matchers: ['namespace=payments', 'pod=~ledger-.*'], duration: '2h', createdBy: 'ana', comment: 'ledger migration' };

describe('silences API', () => {
  it('creates, lists and expires silences with the contract shapes, and names the bad field of a refused one', async () => {
    const { url } = await startNotifier(new MemoryBus());
    const before = Date.now();
    const created = await call(url, 'POST', '/api/silences', silenceBody);
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/), matchers: ['namespace="payments"', 'pod=~"ledger-.*"'], startsAt: expect.any(String), endsAt: expect.any(String),
      createdBy: 'ana', comment: 'ledger migration', status: 'active',
    });
    const endsAt = Date.parse(created.json.endsAt) - Date.parse(created.json.startsAt);
    expect(endsAt).toBe(2 * 3_600_000);
    expect(Date.parse(created.json.startsAt)).toBeGreaterThanOrEqual(before - 1000);

    const pending = await call(url, 'POST', '/api/silences', { matchers: ['node="worker-9"'], startsAt: new Date(Date.now() + 3_600_000).toISOString(), endsAt: new Date(Date.now() + 7_200_000).toISOString(), createdBy: 'bo', comment: 'tomorrow' });
    expect(pending).toMatchObject({ status: 201, json: { status: 'pending' } });

    const listed = await call(url, 'GET', '/api/silences');
    expect(listed.status).toBe(200);
    expect(listed.json.silences.map((s: { id: string; status: string }) => [s.id, s.status]).sort()).toEqual([[created.json.id, 'active'], [pending.json.id, 'pending']].sort());

    const expired = await call(url, 'DELETE', `/api/silences/${created.json.id}`);
    expect(expired).toMatchObject({ status: 200, json: { id: created.json.id, status: 'expired' } });
    expect((await call(url, 'GET', '/api/silences')).json.silences.find((s: { id: string }) => s.id === created.json.id).status).toBe('expired');
    expect(await call(url, 'DELETE', '/api/silences/0123456789abcdef0123456789abcdef')).toMatchObject({ status: 404, json: { error: 'NOT_FOUND' } });

    const refused: [unknown, string][] = [
      [{ ...silenceBody, matchers: ['pod'] }, 'matchers[0]'],
      [{ ...silenceBody, matchers: 'pod=x' }, 'matchers'],
      [{ ...silenceBody, matchers: [] }, 'matchers'],
      [{ ...silenceBody, matchers: ['pod=~.*'] }, 'matchers'],
      [{ ...silenceBody, duration: undefined }, 'endsAt'],
      [{ ...silenceBody, duration: 'soon' }, 'duration'],
      [{ ...silenceBody, duration: undefined, endsAt: 'tomorrow' }, 'endsAt'],
      [{ ...silenceBody, duration: undefined, endsAt: new Date(Date.now() - 1000).toISOString() }, 'endsAt'],
      [{ ...silenceBody, startsAt: 'now' }, 'startsAt'],
      [{ ...silenceBody, createdBy: '' }, 'createdBy'],
      [{ ...silenceBody, comment: undefined }, 'comment'],
    ];
    for (const [body, field] of refused) {
      const answer = await call(url, 'POST', '/api/silences', body);
      expect({ body, status: answer.status, error: answer.json.error, field: String(answer.json.message).split(':')[0] }).toEqual({ body, status: 400, error: 'INVALID_SILENCE', field });
    }
    expect((await call(url, 'GET', '/api/silences')).json.silences).toHaveLength(2);
  });

  it('keeps silences across a restart and shares them between two instances, through the bus only', async () => {
    const bus = new MemoryBus();
    const first = await startNotifier(bus);
    const second = await startNotifier(bus);
    const created = await call(first.url, 'POST', '/api/silences', silenceBody);
    const other = await call(first.url, 'POST', '/api/silences', { ...silenceBody, matchers: ['node=worker-3'] });
    await call(first.url, 'DELETE', `/api/silences/${other.json.id}`);

    const seenBySecond = async () => (await call(second.url, 'GET', '/api/silences')).json.silences as { id: string; status: string }[];
    for (let attempt = 0; (await seenBySecond()).length < 2 && attempt < 100; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await seenBySecond()).map((s) => [s.id, s.status]).sort()).toEqual([[created.json.id, 'active'], [other.json.id, 'expired']].sort());

    for (const host of hosts.splice(0)) await host.close();
    const restarted = await startNotifier(bus);
    const after = (await call(restarted.url, 'GET', '/api/silences')).json.silences as { id: string; status: string; comment: string }[];
    expect(after.map((s) => [s.id, s.status]).sort()).toEqual([[created.json.id, 'active'], [other.json.id, 'expired']].sort());
    expect(after.find((s) => s.id === created.json.id)).toEqual(created.json);
  });

  it('mutes a matching report once restarted, and shows every attempt in the history', async () => {
    const bus = new MemoryBus();
    const first = await startNotifier(bus);
    const silence = await call(first.url, 'POST', '/api/silences', { matchers: ['node=worker-7'], duration: '1h', createdBy: 'ops', comment: 'maintenance' });
    for (const host of hosts.splice(0)) await host.close();

    const printed: string[] = [];
    const { url } = await startNotifier(bus, printed);
    const report = (id: string, node: string): DiagnosisReport => ({ ...memoryGrowthReport, id, entity: { ...memoryGrowthReport.entity, node }, createdAtMs: Date.now() });
    const codec = codecFor('diagnosis.reports');
    await bus.produce('diagnosis.reports', [
      { key: 'prod-eu/worker-7', value: codec.encode(report('0000000000000000000000000000f007', 'worker-7')) },
      { key: 'prod-eu/worker-8', value: codec.encode(report('0000000000000000000000000000f008', 'worker-8')) },
    ]);
    let history: { status: string; sourceIds: string[]; error: string | null; recordedAt: string }[] = [];
    for (let attempt = 0; history.length < 2 && attempt < 200; attempt++) {
      history = (await call(url, 'GET', '/api/notifications?since=1h')).json.notifications;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(history.map((n) => [n.sourceIds[0], n.status]).sort()).toEqual([['0000000000000000000000000000f007', 'SUPPRESSED'], ['0000000000000000000000000000f008', 'SENT']]);
    expect(history.find((n) => n.status === 'SUPPRESSED')!.error).toBe(`silenced by ${silence.json.id}`);
    expect(Date.parse(history[0]!.recordedAt)).toBeGreaterThanOrEqual(Date.parse(history[1]!.recordedAt));
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('worker-8');

    expect((await call(url, 'GET', `/api/notifications?since=${new Date(Date.now() + 60_000).toISOString()}`)).json.notifications).toEqual([]);
    expect((await call(url, 'GET', '/api/notifications?limit=1')).json.notifications).toHaveLength(1);
    expect(await call(url, 'GET', '/api/notifications?since=yesterday')).toMatchObject({ status: 400, json: { error: 'INVALID_QUERY', message: expect.stringMatching(/^since:/) } });
  });
});

describe('vigil silence and vigil notifications', () => {
  it('add, list and expire a silence, and print the history, against a running notifier', async () => {
    const bus = new MemoryBus();
    const { host, url } = await startNotifier(bus);
    await bus.produce('diagnosis.reports', [{ key: 'prod-eu/worker-7', value: codecFor('diagnosis.reports').encode({ ...memoryGrowthReport, createdAtMs: Date.now() }) }]);

    const add = spawnVigil(['silence', 'add', '-m', 'namespace=payments', '-m', 'pod=~ledger-.*', '-d', '2h', '-c', 'ledger migration', '-a', 'ana', '--url', url]);
    expect(await add.exited()).toBe(0);
    const id = add.stdout[0]!;
    expect(id).toMatch(/^[0-9a-f]{32}$/);

    // Each run of the command costs seconds of start-up: the two read-only ones run side by side.
    const list = spawnVigil(['silence', 'list'], { VIGIL_HTTP_PORT: String(host.httpPort) });
    const history = spawnVigil(['notifications', '--since', '1h', '--url', url]);
    expect(await list.exited()).toBe(0);
    expect(list.stdout[0]).toMatch(/^ID\s+STATUS\s+ENDS\s+CREATED BY\s+MATCHERS\s+COMMENT$/);
    expect(list.stdout[1]).toMatch(new RegExp(`^${id}\\s+active\\s+\\S+\\s+ana\\s+namespace="payments",pod=~"ledger-\\.\\*"\\s+ledger migration$`));
    expect(await history.exited()).toBe(0);
    expect(history.stdout[0]).toMatch(/^TIME\s+STATUS\s+CHANNEL\s+RECEIVER\s+ATTEMPTS\s+SUBJECT/);
    expect(history.stdout[1]).toMatch(/^\S+Z\s+SENT\s+stdout\s+stdout\s+1\s+.*MEMORY_LEAK_PROCESS/);

    const expire = spawnVigil(['silence', 'expire', id, '--url', url]);
    expect(await expire.exited()).toBe(0);
    expect(expire.stdout[0]).toBe(`${id} expired`);
    expect((await call(url, 'GET', '/api/silences')).json.silences[0]).toMatchObject({ id, status: 'expired' });
  }, 60_000);

  it('says which field the notifier refused, and which address it could not reach', async () => {
    const { host, url } = await startNotifier(new MemoryBus());
    await expect(callNotifier(url, 'POST', '/api/silences', { matchers: ['pod'], duration: '1h', createdBy: 'a', comment: 'b' })).rejects.toThrow('POST /api/silences answered 400: matchers[0]');
    await host.close();
    await expect(callNotifier(url, 'GET', '/api/silences')).rejects.toThrow(`cannot reach the notifier at ${url}/api/silences`);
  });
});
