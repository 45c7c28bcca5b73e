import { describe, expect, it } from 'vitest';
import type { Anomaly, HealthUpdate } from '../../../src/codec/records.generated.js';
import { deterministicId } from '../../../src/codec/ids.js';
import { anomaly, report, T0 } from '../testing/records.js';
import { createHealthModel, gradeOf, latestUpdates, openAnomalies, type HealthModel } from './health-model.js';

const MINUTE = 60_000;

const at = (updates: HealthUpdate[], level: HealthUpdate['level'], name?: string) =>
  updates.find((u) => u.level === level && (name === undefined || u.entity.node === name || u.entity.pod === name));
const scores = (model: HealthModel) => Object.fromEntries(model.current().map((u) => [u.entity.pod ?? u.entity.node ?? u.entity.cluster, [u.score, u.grade]]));

describe('health model: the current instance', () => {
  it('drops the node score when an anomaly opens, with the item that cost points and the explanation', () => {
    const model = createHealthModel();
    const updates = model.onAnomaly(anomaly('a1', 'OPEN', 'CRITICAL', T0));
    const node = at(updates, 'NODE')!;
    expect(node).toMatchObject({
      entity: { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null },
      level: 'NODE', score: 55, grade: 'CRITICAL', timestampMs: T0,
    });
    expect(node.items).toEqual([
      { code: 'ANOMALY_OPEN', description: 'memory: CRITICAL LEVEL_SHIFT anomaly on node_memory_MemAvailable_bytes{} (1200000000 outside 8000000000..12000000000)', deduction: 45, sourceId: 'a1' },
    ]);
    expect(node.explanation).toBe('prod-eu/worker-7 55 (CRITICAL): −45 memory: CRITICAL LEVEL_SHIFT anomaly on node_memory_MemAvailable_bytes{} (1200000000 outside 8000000000..12000000000)');
    expect(node.id).toBe(deterministicId('prod-eu/worker-7', T0, 55, 'CRITICAL'));
    // One critical node of the cluster: −18 by the bucket principle.
    expect(at(updates, 'CLUSTER')).toMatchObject({ entity: { cluster: 'prod-eu', node: null }, score: 82, grade: 'WARNING' });
    expect(at(updates, 'CLUSTER')!.explanation).toBe('prod-eu 82 (WARNING): −18 children: 1 of 1 nodes critical (worker-7 55)');
  });

  it('weights items by the catalogue: an OOM kill costs more than a warning on the network', () => {
    const model = createHealthModel();
    expect(at(model.onAnomaly(anomaly('oom', 'OPEN', 'WARNING', T0, { node: 'w1', metric: 'kernel_oom_kill' })), 'NODE')).toMatchObject({ score: 80.5 });
    expect(at(model.onAnomaly(anomaly('net', 'OPEN', 'WARNING', T0, { node: 'w2', metric: 'node_netstat_Tcp_RetransSegs' })), 'NODE')).toMatchObject({ score: 86.5 });
  });

  it('charges an escalating anomaly once, at its latest severity, and a refresh step is no news', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('a1', 'OPEN', 'WARNING', T0));
    expect(at(model.onAnomaly(anomaly('a1', 'UPDATE', 'CRITICAL', T0 + MINUTE)), 'NODE')?.score).toBe(55);
    expect(model.onAnomaly(anomaly('a1', 'UPDATE', 'CRITICAL', T0 + 2 * MINUTE))).toEqual([]);
  });

  it('ignores a duplicate delivery and does not reopen a resolved anomaly when its OPEN is redelivered', () => {
    const model = createHealthModel();
    const open = anomaly('a1', 'OPEN', 'CRITICAL', T0);
    expect(at(model.onAnomaly(open), 'NODE')?.score).toBe(55);
    expect(model.onAnomaly(open)).toEqual([]);
    model.onAnomaly(anomaly('a1', 'RESOLVED', 'CRITICAL', T0 + MINUTE));
    expect(model.onAnomaly(open)).toEqual([]);
  });

  it('charges a report by severity × weight × confidence until 10 minutes of event time have passed', () => {
    const model = createHealthModel();
    const first = model.onReport(report('r1', 'CRITICAL', 0.8, T0));
    expect(at(first, 'NODE')).toMatchObject({ score: 64, grade: 'WARNING', items: [{ code: 'DIAGNOSIS_REPORT', deduction: 36, sourceId: 'r1' }] });
    expect(at(first, 'NODE')!.items[0]!.description).toBe('memory: CRITICAL MEMORY_LEAK_PROCESS: process python3 (pid 4242) grew its RSS by 1.0 GiB at 40.0 MiB/s to 1.5 GiB (confidence 0.80)');
    expect(model.onReport(report('r1', 'CRITICAL', 0.8, T0))).toEqual([]);

    expect(at(model.onAnomaly(anomaly('b1', 'OPEN', 'INFO', T0 + 9 * MINUTE, { node: 'worker-8' })), 'NODE', 'worker-7')).toBeUndefined();
    const later = model.onAnomaly(anomaly('b1', 'UPDATE', 'INFO', T0 + 10 * MINUTE, { node: 'worker-8' }));
    expect(at(later, 'NODE', 'worker-7')).toMatchObject({ score: 100, grade: 'HEALTHY', items: [], timestampMs: T0 + 10 * MINUTE });
    expect(model.onReport(report('old', 'CRITICAL', 1, T0))).toEqual([]);
  });

  it('lists items largest deduction first, never scores below 0 and still says why at 0', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('a1', 'OPEN', 'INFO', T0));
    model.onReport(report('r1', 'WARNING', 0.5, T0));
    const afterCritical = at(model.onAnomaly(anomaly('a2', 'OPEN', 'CRITICAL', T0)), 'NODE')!;
    expect(afterCritical.items.map((i) => [i.sourceId, i.deduction])).toEqual([['a2', 45], ['r1', 7.5], ['a1', 2]]);
    expect(afterCritical.score).toBe(45.5);
    model.onAnomaly(anomaly('a3', 'OPEN', 'CRITICAL', T0));
    const atFloor = at(model.onAnomaly(anomaly('a4', 'OPEN', 'CRITICAL', T0)), 'NODE')!;
    expect(atFloor.score).toBe(0);
    const again = at(model.onAnomaly(anomaly('a5', 'OPEN', 'CRITICAL', T0)), 'NODE')!;
    expect(again.score).toBe(0);
    expect(again.items.map((i) => i.sourceId)).toContain('a5');
  });
});

describe('health model: the hierarchy pod → node → cluster', () => {
  it('a pod anomaly lowers pod, node and cluster, in that order; resolving it restores all three', () => {
    const model = createHealthModel();
    const opened = model.onAnomaly(anomaly('p1', 'OPEN', 'CRITICAL', T0, { pod: 'cart-7f9c' }));
    expect(opened.map((u) => [u.level, u.score, u.grade])).toEqual([
      ['POD', 55, 'CRITICAL'],
      ['NODE', 82, 'WARNING'],
      ['CLUSTER', 97, 'HEALTHY'],
    ]);
    expect(opened[0]!.entity).toEqual({ cluster: 'prod-eu', node: 'worker-7', namespace: 'shop', pod: 'cart-7f9c', container: null });
    expect(opened[1]!.explanation).toBe('prod-eu/worker-7 82 (WARNING): −18 children: 1 of 1 pods critical (shop/cart-7f9c 55)');
    expect(opened[2]!.explanation).toBe('prod-eu 97 (HEALTHY): −3 children: 1 of 1 nodes warning (worker-7 82)');

    const resolved = model.onAnomaly(anomaly('p1', 'RESOLVED', 'CRITICAL', T0 + MINUTE, { pod: 'cart-7f9c' }));
    expect(resolved.map((u) => [u.level, u.score, u.grade, u.items.length])).toEqual([
      ['POD', 100, 'HEALTHY', 0],
      ['NODE', 100, 'HEALTHY', 0],
      ['CLUSTER', 100, 'HEALTHY', 0],
    ]);
  });

  it('a container anomaly counts for its pod', () => {
    const model = createHealthModel();
    const step = anomaly('c1', 'OPEN', 'WARNING', T0, { pod: 'cart-7f9c' });
    const updates = model.onAnomaly({ ...step, entity: { ...step.entity, container: 'app' } });
    expect(at(updates, 'POD')).toMatchObject({ score: 85, entity: { pod: 'cart-7f9c', container: null } });
  });

  it('many warning pods weigh more than one', () => {
    const model = createHealthModel();
    const oneWarning = at(model.onAnomaly(anomaly('w0', 'OPEN', 'WARNING', T0, { pod: 'pod-0' })), 'NODE')!;
    expect(oneWarning).toMatchObject({ score: 97, grade: 'HEALTHY' });
    let node = oneWarning;
    for (let i = 1; i < 5; i++) node = at(model.onAnomaly(anomaly(`w${i}`, 'OPEN', 'WARNING', T0, { pod: `pod-${i}` })), 'NODE')!;
    expect(node.score).toBe(87.71);
    expect(node.grade).toBe('WARNING');
    expect(node.items).toEqual([{ code: 'CHILDREN_WARNING', description: 'children: 5 of 5 pods warning (shop/pod-0 85, shop/pod-1 85, shop/pod-2 85, … 2 more)', deduction: 12.29, sourceId: 'prod-eu/worker-7/shop/pod-0' }]);
  });

  it('one critical pod of 30 shows on its node and on the cluster', () => {
    const model = createHealthModel();
    for (let i = 0; i < 30; i++) {
      model.onAnomaly(anomaly(`i${i}`, 'OPEN', 'INFO', T0, { pod: `pod-${i}` }));
      model.onAnomaly(anomaly(`i${i}`, 'RESOLVED', 'INFO', T0 + MINUTE, { pod: `pod-${i}` }));
    }
    const updates = model.onAnomaly(anomaly('crit', 'OPEN', 'CRITICAL', T0 + 2 * MINUTE, { pod: 'pod-17' }));
    expect(at(updates, 'NODE')).toMatchObject({ score: 82, grade: 'WARNING' });
    expect(at(updates, 'NODE')!.explanation).toContain('1 of 30 pods critical (shop/pod-17 55)');
    expect(at(updates, 'CLUSTER')!.score).toBeLessThan(100);
    expect(at(updates, 'CLUSTER')!.explanation).toContain('worker-7 82');
  });

  it('more critical pods push the node to CRITICAL; a critical node and its own anomaly add up', () => {
    const model = createHealthModel();
    let node: HealthUpdate | undefined;
    for (let i = 0; i < 4; i++) node = at(model.onAnomaly(anomaly(`c${i}`, 'OPEN', 'CRITICAL', T0, { pod: `pod-${i}` })), 'NODE') ?? node;
    expect(node).toMatchObject({ score: 54.41, grade: 'CRITICAL' });
    const withOwn = at(model.onAnomaly(anomaly('n1', 'OPEN', 'WARNING', T0)), 'NODE')!;
    expect(withOwn.score).toBe(39.41);
    expect(withOwn.items.map((i) => [i.code, i.deduction])).toEqual([['CHILDREN_CRITICAL', 45.59], ['ANOMALY_OPEN', 15]]);
  });
});

describe('health model: time', () => {
  it('expires an entity with nothing open after 30 minutes of event time, as UNKNOWN', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('p1', 'OPEN', 'WARNING', T0, { pod: 'quiet' }));
    model.onAnomaly(anomaly('p1', 'RESOLVED', 'WARNING', T0 + MINUTE, { pod: 'quiet' }));
    model.onAnomaly(anomaly('p2', 'OPEN', 'WARNING', T0 + MINUTE, { pod: 'busy' }));
    expect(model.onAnomaly(anomaly('x', 'OPEN', 'INFO', T0 + 30 * MINUTE, { node: 'worker-8' })).filter((u) => u.grade === 'UNKNOWN')).toEqual([]);
    const later = model.onAnomaly(anomaly('x', 'UPDATE', 'INFO', T0 + 32 * MINUTE, { node: 'worker-8' }));
    expect(later.filter((u) => u.grade === 'UNKNOWN').map((u) => u.entity.pod)).toEqual(['quiet']);
    expect(later.find((u) => u.grade === 'UNKNOWN')!.explanation).toBe('prod-eu/worker-7/shop/quiet expired (UNKNOWN): nothing heard of it for 30 min');
    expect(model.history({ cluster: 'prod-eu', node: 'worker-7', namespace: 'shop', pod: 'quiet', container: null })).toBeUndefined();
    expect(scores(model)['busy']).toEqual([85, 'WARNING']);
  });

  it('drops an open anomaly with no step for an hour (stale), and the node recovers', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('p1', 'OPEN', 'CRITICAL', T0, { pod: 'lost' }));
    const updates = model.onAnomaly(anomaly('x', 'OPEN', 'INFO', T0 + 61 * MINUTE, { node: 'worker-8' }));
    expect(at(updates, 'POD', 'lost')).toMatchObject({ score: 100, grade: 'HEALTHY' });
    expect(at(updates, 'NODE', 'worker-7')).toMatchObject({ score: 100 });
  });

  it('keeps a bounded history of (time, score) per entity within the retention', () => {
    const model = createHealthModel({ historyPoints: 3, historyMs: 10 * MINUTE });
    for (let i = 0; i < 5; i++) model.onAnomaly(anomaly(`a${i}`, 'OPEN', 'INFO', T0 + i * MINUTE));
    const node = { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null };
    expect(model.history(node)).toEqual([
      { timestampMs: T0 + 2 * MINUTE, score: 94, grade: 'HEALTHY' },
      { timestampMs: T0 + 3 * MINUTE, score: 92, grade: 'HEALTHY' },
      { timestampMs: T0 + 4 * MINUTE, score: 90, grade: 'HEALTHY' },
    ]);
    model.onAnomaly(anomaly('a0', 'UPDATE', 'INFO', T0 + 13 * MINUTE));
    expect(model.history(node)!.map((p) => p.timestampMs)).toEqual([T0 + 4 * MINUTE]);
  });
});

describe('health model: queries and restart', () => {
  function busyModel(): { model: HealthModel; steps: Anomaly[]; published: HealthUpdate[] } {
    const model = createHealthModel();
    const steps = [
      anomaly('p1', 'OPEN', 'CRITICAL', T0, { pod: 'cart' }),
      anomaly('p2', 'OPEN', 'WARNING', T0 + MINUTE, { pod: 'db' }),
      anomaly('n1', 'OPEN', 'WARNING', T0 + MINUTE, { node: 'worker-8' }),
      anomaly('q1', 'OPEN', 'INFO', T0 + 2 * MINUTE, { node: 'worker-9', pod: 'web' }),
      anomaly('q1', 'RESOLVED', 'INFO', T0 + 3 * MINUTE, { node: 'worker-9', pod: 'web' }),
    ];
    const published = steps.flatMap((step) => model.onAnomaly(step));
    published.push(...model.onReport(report('r1', 'WARNING', 0.9, T0 + 3 * MINUTE, 'worker-9')));
    return { model, steps, published };
  }

  it('answers current, worst and history', () => {
    const { model } = busyModel();
    expect(model.current('NODE').map((u) => [u.entity.node, u.score])).toEqual([['worker-7', 79], ['worker-8', 85], ['worker-9', 86.5]]);
    expect(model.worst(undefined, 2).map((u) => [u.level, u.entity.pod ?? u.entity.node, u.score])).toEqual([['POD', 'cart', 55], ['NODE', 'worker-7', 79]]);
    expect(model.worst('CLUSTER', 5)).toHaveLength(1);
    expect(model.history({ cluster: 'prod-eu', node: 'worker-7', namespace: 'shop', pod: 'cart', container: null })).toEqual([{ timestampMs: T0, score: 55, grade: 'CRITICAL' }]);
    expect(model.stats()).toMatchObject({ entities: { CLUSTER: 1, NODE: 3, POD: 3 }, openAnomalies: 3, liveReports: 1 });
  });

  it('a restart restores every score from the latest updates and the open anomalies, with no jump to 100', () => {
    const { model, steps, published } = busyModel();
    const restarted = createHealthModel();
    expect(restarted.restore(latestUpdates(published), openAnomalies(steps))).toEqual([]);
    expect(scores(restarted)).toEqual(scores(model));
    // The same next event gives the same updates on both.
    const next = anomaly('p2', 'RESOLVED', 'WARNING', T0 + 4 * MINUTE, { pod: 'db' });
    expect(restarted.onAnomaly(next).map((u) => [u.level, u.score, u.explanation])).toEqual(model.onAnomaly(next).map((u) => [u.level, u.score, u.explanation]));
    // The restored report still expires 10 minutes after it was published.
    const afterWindow = restarted.onAnomaly(anomaly('z', 'OPEN', 'INFO', T0 + 13 * MINUTE, { node: 'worker-1' }));
    expect(at(afterWindow, 'NODE', 'worker-9')).toMatchObject({ score: 100 });
  });

  it('a restart publishes a correction for an anomaly that resolved while the scorer was down', () => {
    const { steps, published } = busyModel();
    const resolvedMeanwhile = [...steps, anomaly('p1', 'RESOLVED', 'CRITICAL', T0 + 5 * MINUTE, { pod: 'cart' })];
    const corrections = createHealthModel().restore(latestUpdates(published), openAnomalies(resolvedMeanwhile));
    // At the latest event time the model has seen (the RESOLVED step is not among the open anomalies).
    expect(corrections.map((u) => [u.level, u.entity.pod ?? u.entity.node ?? u.entity.cluster, u.score, u.timestampMs])).toEqual([
      ['POD', 'cart', 100, T0 + 3 * MINUTE],
      ['NODE', 'worker-7', 97, T0 + 3 * MINUTE],
      ['CLUSTER', 'prod-eu', 94.3, T0 + 3 * MINUTE],
    ]);
  });

  it('grades: HEALTHY from 90, WARNING from 60, else CRITICAL', () => {
    expect([100, 90, 89.99, 60, 59.99, 0].map(gradeOf)).toEqual(['HEALTHY', 'HEALTHY', 'WARNING', 'WARNING', 'CRITICAL', 'CRITICAL']);
  });
});
