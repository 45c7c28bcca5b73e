/**
 * The scorer service on the memory bus, as the pipeline runs it: anomalies in, health.updates out,
 * the same scores on GET /api/health… and /metrics, and after a restart before any new event.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import type { Anomaly, HealthUpdate } from '../src/codec/records.generated.js';
import { startHost, type Host } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { renderHealthTable } from '../services/scorer/commands/health-table.js';
import { fetchCurrentScores } from '../services/scorer/commands/cli.js';
import type { EntityScore } from '../services/scorer/http/health-api.js';
import { scorer, scorerConfigSchema } from '../services/scorer/scorer.service.js';
import { anomaly, T0 } from '../services/scorer/testing/records.js';
import { observeTopic, type TopicObserver } from './support/topic-observer.js';

const env = { VIGIL_HTTP_PORT: '0', VIGIL_SCORER_RESTORE_IDLE_MS: '100', VIGIL_LOG_LEVEL: 'warn' };

const hosts: Host[] = [];
const observers: TopicObserver<HealthUpdate>[] = [];
afterEach(async () => {
  await Promise.all(observers.splice(0).map((observer) => observer.close()));
  for (const host of hosts.splice(0)) await host.close();
});

async function startScorer(bus: MemoryBus): Promise<Host> {
  const host = await startHost({ services: [scorer as unknown as ServiceDefinition], env, bus, logger: createLogger({ level: 'warn' }), print: () => undefined });
  hosts.push(host);
  await host.started;
  return host;
}

async function publishAnomalies(bus: MemoryBus, ...anomalies: Anomaly[]): Promise<void> {
  const codec = codecFor('anomalies');
  await bus.produce('anomalies', anomalies.map((value) => ({ key: `${value.entity.cluster}/${value.entity.node}`, value: codec.encode(value) })));
}

async function observeUpdates(bus: MemoryBus): Promise<TopicObserver<HealthUpdate>> {
  const observer = await observeTopic(bus, 'health.updates', { group: `observer-${observers.length}-${Date.now()}` });
  observers.push(observer);
  return observer;
}

async function getJson<T>(host: Host, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`http://127.0.0.1:${host.httpPort}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

const nodeScores = (updates: HealthUpdate[], node = 'worker-7') => updates.filter((u) => u.level === 'NODE' && u.entity.node === node).map((u) => u.score);

describe('scorer service', () => {
  it('lowers the node on health.updates, the API and /metrics when an anomaly opens, and restores it when it resolves', async () => {
    const bus = new MemoryBus();
    const host = await startScorer(bus);
    const updates = await observeUpdates(bus);

    await publishAnomalies(bus, anomaly('a1', 'OPEN', 'CRITICAL', T0));
    const lowered = await updates.waitFor((u) => u.level === 'NODE' && u.entity.node === 'worker-7', 5_000);
    expect(lowered.score).toBeLessThan(100);
    await updates.waitFor((u) => u.level === 'CLUSTER', 5_000);

    const nodes = await getJson<{ entities: EntityScore[] }>(host, '/api/health?level=NODE');
    expect(nodes.status).toBe(200);
    expect(nodes.body.entities).toEqual([expect.objectContaining({ key: 'prod-eu/worker-7', level: 'NODE', score: lowered.score, grade: lowered.grade })]);
    expect(nodes.body.entities[0]!.items[0]).toMatchObject({ code: 'ANOMALY_OPEN', sourceId: 'a1' });
    const worst = await getJson<{ entities: EntityScore[] }>(host, '/api/health/worst?level=NODE&limit=1');
    expect(worst.body.entities.map((e) => e.key)).toEqual(['prod-eu/worker-7']);

    const metrics = await (await fetch(`http://127.0.0.1:${host.httpPort}/metrics`)).text();
    expect(metrics).toContain(`vigil_health_score{level="NODE",cluster="prod-eu",node="worker-7",namespace="",pod=""} ${lowered.score}`);
    expect(metrics).toMatch(/vigil_health_score\{level="CLUSTER",cluster="prod-eu",node="",namespace="",pod=""\} \d/);
    expect(metrics).toContain('vigil_scorer_entities{level="NODE"} 1');
    expect(metrics).toContain('vigil_scorer_open_anomalies 1');

    await publishAnomalies(bus, anomaly('a1', 'RESOLVED', 'CRITICAL', T0 + 60_000));
    await updates.waitFor((u) => u.level === 'NODE' && u.score === 100, 5_000);
    const after = await getJson<{ entities: EntityScore[] }>(host, '/api/health?level=NODE');
    expect(after.body.entities[0]).toMatchObject({ key: 'prod-eu/worker-7', score: 100, items: [] });

    const history = await getJson<{ points: { timestampMs: number; score: number }[]; retentionMinutes: number }>(host, '/api/health/history?cluster=prod-eu&node=worker-7');
    expect(history.status).toBe(200);
    expect(history.body.retentionMinutes).toBe(24 * 60);
    expect(history.body.points.map((p) => p.score)).toEqual([lowered.score, 100]);
    expect(history.body.points.map((p) => p.timestampMs)).toEqual([T0, T0 + 60_000]);
  });

  it('charges a redelivered anomaly step once', async () => {
    const bus = new MemoryBus();
    const host = await startScorer(bus);
    const updates = await observeUpdates(bus);
    const open = anomaly('a1', 'OPEN', 'WARNING', T0);

    await publishAnomalies(bus, open, open, anomaly('a1', 'UPDATE', 'WARNING', T0 + 10_000), open);
    // A later anomaly on another node: once its update is out, every earlier record was handled.
    await publishAnomalies(bus, anomaly('b1', 'OPEN', 'WARNING', T0 + 20_000, { node: 'worker-8' }));
    await updates.waitFor((u) => u.level === 'NODE' && u.entity.node === 'worker-8', 5_000);

    expect(nodeScores(updates.records)).toHaveLength(1);
    const nodes = await getJson<{ entities: EntityScore[] }>(host, '/api/health?level=NODE');
    const worker7 = nodes.body.entities.find((e) => e.key === 'prod-eu/worker-7')!;
    expect(worker7.score).toBe(nodeScores(updates.records)[0]);
    expect(worker7.items).toHaveLength(1);
  });

  it('serves the same scores after a restart before any new event, and still knows the open anomaly', async () => {
    const bus = new MemoryBus();
    const first = await startScorer(bus);
    const updates = await observeUpdates(bus);
    const open = anomaly('a1', 'OPEN', 'CRITICAL', T0);
    await publishAnomalies(bus, open, anomaly('b1', 'OPEN', 'WARNING', T0 + 1_000, { node: 'worker-8' }));
    await updates.waitFor((u) => u.level === 'NODE' && u.entity.node === 'worker-8', 5_000);
    await updates.waitFor((u) => u.level === 'CLUSTER' && u.timestampMs === T0 + 1_000, 5_000);
    const before = await getJson<{ entities: EntityScore[] }>(first, '/api/health');
    expect(before.body.entities.map((e) => e.key)).toEqual(['prod-eu', 'prod-eu/worker-7', 'prod-eu/worker-8']);
    await first.close();
    hosts.splice(hosts.indexOf(first), 1);

    const second = await startScorer(bus);
    const after = await getJson<{ entities: EntityScore[] }>(second, '/api/health');
    const scores = (entities: EntityScore[]) => entities.map(({ key, level, score, grade, items, timestampMs }) => ({ key, level, score, grade, items, timestampMs }));
    expect(scores(after.body.entities)).toEqual(scores(before.body.entities));
    const metrics = await (await fetch(`http://127.0.0.1:${second.httpPort}/metrics`)).text();
    expect(metrics).toContain(`vigil_health_score{level="NODE",cluster="prod-eu",node="worker-7",namespace="",pod=""} ${nodeScores(updates.records)[0]}`);

    // The open anomaly was read back: a redelivered OPEN is not charged again, its RESOLVED restores the node.
    const published = updates.records.length;
    await publishAnomalies(bus, open, anomaly('a1', 'RESOLVED', 'CRITICAL', T0 + 60_000));
    await updates.waitFor((u) => u.level === 'NODE' && u.entity.node === 'worker-7' && u.score === 100, 5_000);
    expect(nodeScores(updates.records.slice(published))).toEqual([100]);
    const cluster = updates.records.slice(published).find((u) => u.level === 'CLUSTER');
    expect(cluster?.score).toBeGreaterThan(before.body.entities[0]!.score);
  });

  it('answers bad queries with 400 and unknown entities with 404', async () => {
    const host = await startScorer(new MemoryBus());
    expect((await getJson(host, '/api/health?level=RACK')).status).toBe(400);
    expect((await getJson(host, '/api/health/worst?limit=0')).status).toBe(400);
    expect((await getJson(host, '/api/health/history?node=worker-7')).status).toBe(400);
    expect((await getJson(host, '/api/health/history?cluster=prod-eu&node=nowhere')).status).toBe(404);
    expect((await getJson(host, '/api/nothing-here')).status).toBe(404);
    expect((await getJson<{ entities: unknown[] }>(host, '/api/health')).body.entities).toEqual([]);
  });
});

describe('scorer configuration', () => {
  it('stops at start naming the inspection catalogue file that cannot be read', async () => {
    const host = await startHost({
      services: [scorer as unknown as ServiceDefinition], env: { ...env, VIGIL_SCORER_CATALOGUE: '/nonexistent/inspection.yaml' },
      bus: new MemoryBus(), http: false, logger: createLogger({ level: 'silent' }), print: () => undefined,
    });
    hosts.push(host);
    await expect(host.started).rejects.toMatchObject({ code: 'VIGIL_CONFIG', message: expect.stringContaining('/nonexistent/inspection.yaml') });
  });

  it('documents every setting', () => {
    for (const variable of ['VIGIL_SCORER_CATALOGUE', 'VIGIL_HEALTH_HISTORY_MINUTES', 'VIGIL_SCORER_RESTORE_IDLE_MS']) {
      expect(scorerConfigSchema.shape[variable as keyof typeof scorerConfigSchema.shape].description).toBeTruthy();
    }
  });
});

describe('vigil health table', () => {
  it('prints entity, level, score, grade and top item from the API', async () => {
    const bus = new MemoryBus();
    const host = await startScorer(bus);
    const updates = await observeUpdates(bus);
    await publishAnomalies(bus, anomaly('a1', 'OPEN', 'CRITICAL', T0));
    await updates.waitFor((u) => u.level === 'CLUSTER', 5_000);

    const table = renderHealthTable(await fetchCurrentScores(`http://127.0.0.1:${host.httpPort}`, 'NODE')).split('\n');
    expect(table[0]).toMatch(/^ENTITY\s+LEVEL\s+SCORE\s+GRADE\s+TOP ITEM$/);
    expect(table[1]).toMatch(/^prod-eu\/worker-7\s+NODE\s+\d+(\.\d+)?\s+CRITICAL\s+-\d+ memory: CRITICAL LEVEL_SHIFT anomaly on node_memory_MemAvailable_bytes/);
    expect(table).toHaveLength(3);
    await expect(fetchCurrentScores('http://127.0.0.1:1')).rejects.toThrow(/cannot reach the scorer at http:\/\/127\.0\.0\.1:1\/api\/health/);
  });
});
