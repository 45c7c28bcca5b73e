import { expect, test } from 'vitest';
import { deterministicId } from '../../../src/codec/ids.js';
import type { Anomaly, AnomalyKind, Entity, Scenario, Severity } from '../../../src/codec/records.generated.js';
import { defaultPolicyOptions, NodePolicy, type Asker } from './policy.js';

const node: Entity = { cluster: 'prod-eu', node: 'worker-1', namespace: null, pod: null, container: null };
const pod: Entity = { ...node, namespace: 'shop', pod: 'checkout-1', container: 'app' };
const minute = 60_000;

function asker(series: string, atMs: number, options: { entity?: Entity; severity?: Severity; kind?: AnomalyKind; state?: Anomaly['state']; scenario?: Scenario } = {}): Asker {
  const anomaly: Anomaly = {
    eventId: `e-${series}-${atMs}`, id: `a-${series}-${atMs}`, entity: options.entity ?? node, metric: series, series: `${series}{}`, labels: {},
    kind: options.kind ?? 'THRESHOLD', state: options.state ?? 'OPEN', severity: options.severity ?? 'WARNING', score: 2, value: 1, expectedLow: 0, expectedHigh: 1,
    models: [], openedAtMs: atMs, observedAtMs: atMs, resolvedAtMs: null,
  };
  return { anomaly, scenario: 'scenario' in options ? options.scenario : 'MEMORY', window: () => [] };
}

const scene = () => [{ name: 'node_memory_MemAvailable_bytes', labels: {}, value: 1, timestampMs: 0 }];

test('at most one request per entity and scenario in five minutes; a CRITICAL after WARNINGs is let through once', () => {
  const policy = new NodePolicy(defaultPolicyOptions);
  const at = (minutes: number, ...askers: Asker[]) => policy.requests(askers, minutes * minute, scene).map((r) => r.anomalyIds.join('+'));
  expect(at(0, asker('a', 0), asker('b', 0))).toEqual(['a-a-0+a-b-0']); // one request for the batch
  expect(at(1, asker('c', 1 * minute))).toEqual([]); // rate-limited
  expect(at(1, asker('d', 1 * minute, { scenario: 'IO' }))).toEqual(['a-d-60000']); // another scenario
  expect(at(2, asker('e', 2 * minute, { entity: pod }))).toEqual(['a-e-120000']); // another entity
  expect(at(3, asker('f', 3 * minute, { severity: 'CRITICAL' }))).toEqual(['a-f-180000']); // escalation
  expect(at(4, asker('g', 4 * minute, { severity: 'CRITICAL' }))).toEqual([]); // a second CRITICAL is not
  expect(at(8, asker('h', 8 * minute))).toEqual(['a-h-480000']); // five minutes after the last request
  expect(policy.rateLimited).toBe(2);
});

test('the policy table: severity per kind, no scenario no request, resolved never, UPDATEs only when CRITICAL', () => {
  const policy = new NodePolicy({ ...defaultPolicyOptions, rateLimitMs: 0 });
  const asks = (a: Asker) => policy.requests([a], 0, scene).length === 1;
  expect(asks(asker('spike', 0, { kind: 'SPIKE' }))).toBe(true);
  expect(asks(asker('info', 0, { kind: 'SPIKE', severity: 'INFO' }))).toBe(false);
  expect(asks(asker('event', 0, { kind: 'EVENT', severity: 'INFO' }))).toBe(true);
  expect(asks(asker('jitter', 0, { kind: 'FLUCTUATION' }))).toBe(false);
  expect(asks(asker('jitter', 0, { kind: 'FLUCTUATION', severity: 'CRITICAL' }))).toBe(true);
  expect(asks(asker('none', 0, { scenario: undefined }))).toBe(false);
  expect(asks(asker('resolved', 0, { state: 'RESOLVED', severity: 'CRITICAL' }))).toBe(false);
  expect(asks(asker('update', 0, { state: 'UPDATE' }))).toBe(false);
  expect(asks(asker('update', 0, { state: 'UPDATE', severity: 'CRITICAL' }))).toBe(true);
});

test('ids: a hash of the anomaly ids and the scenario (ESCALATED for an UPDATE); the entity is the anomaly\'s', () => {
  const policy = new NodePolicy(defaultPolicyOptions);
  const [opened] = policy.requests([asker('a', 0, { entity: pod })], 0, scene);
  expect(opened).toMatchObject({ id: deterministicId('a-a-0', 'MEMORY'), entity: pod, scenario: 'MEMORY', requestedAtMs: 0 });
  const [escalated] = policy.requests([asker('a', 0, { entity: pod, state: 'UPDATE', severity: 'CRITICAL' })], minute, scene);
  expect(escalated!.id).toBe(deterministicId('a-a-0', 'MEMORY', 'ESCALATED'));
});

test('a saved rate limiter restored elsewhere still rate-limits, and forgets when the window passes', () => {
  const policy = new NodePolicy(defaultPolicyOptions);
  policy.requests([asker('a', 0)], 0, scene);
  const restored = NodePolicy.restore(defaultPolicyOptions, structuredClone(policy.save()));
  expect(restored.requests([asker('b', minute)], minute, scene)).toEqual([]);
  expect(restored.rateLimited).toBe(1);
  expect(restored.requests([asker('c', 5 * minute)], 5 * minute, scene)).toHaveLength(1);
});
