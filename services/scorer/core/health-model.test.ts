import { describe, expect, it } from 'vitest';
import type { Anomaly, AnomalyState, DiagnosisReport, Severity } from '../../../src/codec/records.generated.js';
import { deterministicId } from '../../../src/codec/ids.js';
import { createHealthModel, gradeOf } from './health-model.js';

const T0 = Date.UTC(2026, 10, 24, 7, 0, 0);
const MINUTE = 60_000;

function anomaly(id: string, state: AnomalyState, severity: Severity, observedAtMs: number, node = 'worker-7'): Anomaly {
  return {
    eventId: deterministicId(id, state, observedAtMs),
    id,
    entity: { cluster: 'prod-eu', node, namespace: null, pod: null, container: null },
    metric: 'node_memory_MemAvailable_bytes',
    series: 'node_memory_MemAvailable_bytes{}',
    labels: {},
    kind: 'LEVEL_SHIFT',
    state,
    severity,
    score: 3.2,
    value: 1.2e9,
    expectedLow: 8e9,
    expectedHigh: 1.2e10,
    models: ['robust-zscore'],
    openedAtMs: T0,
    observedAtMs,
    resolvedAtMs: state === 'RESOLVED' ? observedAtMs : null,
  };
}

function report(id: string, severity: Severity, confidence: number, createdAtMs: number, node = 'worker-7'): DiagnosisReport {
  return {
    id,
    requestId: `request-${id}`,
    anomalyIds: ['a1'],
    entity: { cluster: 'prod-eu', node, namespace: null, pod: null, container: null },
    scenario: 'MEMORY',
    rootCause: { code: 'MEMORY_LEAK_PROCESS', summary: 'process python3 (pid 4242) grew its RSS by 1.0 GiB at 40.0 MiB/s to 1.5 GiB' },
    evidence: [],
    suggestions: [],
    confidence,
    severity,
    kubernetes: {},
    createdAtMs,
    findings: [],
    missingEvidence: [],
  };
}

const nodeUpdate = (updates: ReturnType<ReturnType<typeof createHealthModel>['onAnomaly']>, node = 'worker-7') =>
  updates.find((u) => u.level === 'NODE' && u.entity.node === node);
const clusterUpdate = (updates: ReturnType<ReturnType<typeof createHealthModel>['onAnomaly']>) => updates.find((u) => u.level === 'CLUSTER');

describe('health model', () => {
  it('drops the node score when an anomaly opens, with the item that cost points', () => {
    const model = createHealthModel();
    const updates = model.onAnomaly(anomaly('a1', 'OPEN', 'CRITICAL', T0));
    const node = nodeUpdate(updates)!;
    expect(node).toMatchObject({
      entity: { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null },
      level: 'NODE',
      score: 75,
      grade: 'SUBHEALTHY',
      timestampMs: T0,
    });
    expect(node.items).toEqual([
      { code: 'ANOMALY_OPEN', description: 'CRITICAL LEVEL_SHIFT on node_memory_MemAvailable_bytes{}: 1200000000 outside 8000000000..12000000000', deduction: 25, sourceId: 'a1' },
    ]);
    expect(node.id).toBe(deterministicId('prod-eu/worker-7', T0, 75));
    expect(clusterUpdate(updates)).toMatchObject({ level: 'CLUSTER', entity: { cluster: 'prod-eu', node: null }, score: 75 });
  });

  it('recovers when the anomaly resolves', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('a1', 'OPEN', 'WARNING', T0));
    const updates = model.onAnomaly(anomaly('a1', 'RESOLVED', 'WARNING', T0 + MINUTE));
    expect(nodeUpdate(updates)).toMatchObject({ score: 100, grade: 'HEALTHY', items: [] });
    expect(clusterUpdate(updates)).toMatchObject({ score: 100 });
  });

  it('charges an escalating anomaly once, at its latest severity', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('a1', 'OPEN', 'WARNING', T0));
    expect(nodeUpdate(model.onAnomaly(anomaly('a1', 'UPDATE', 'CRITICAL', T0 + MINUTE)))?.score).toBe(75);
  });

  it('ignores a duplicate delivery of the same anomaly event', () => {
    const model = createHealthModel();
    const open = anomaly('a1', 'OPEN', 'CRITICAL', T0);
    expect(nodeUpdate(model.onAnomaly(open))?.score).toBe(75);
    expect(model.onAnomaly(open)).toEqual([]);
    expect(nodeUpdate(model.onAnomaly(anomaly('a2', 'OPEN', 'INFO', T0)))?.score).toBe(73);
  });

  it('does not reopen a resolved anomaly when its OPEN is redelivered', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('a1', 'OPEN', 'CRITICAL', T0));
    model.onAnomaly(anomaly('a1', 'RESOLVED', 'CRITICAL', T0 + MINUTE));
    expect(model.onAnomaly(anomaly('a1', 'OPEN', 'CRITICAL', T0))).toEqual([]);
  });

  it('charges a report by severity × confidence until 10 minutes of event time have passed', () => {
    const model = createHealthModel();
    const first = model.onReport(report('r1', 'CRITICAL', 0.8, T0));
    expect(nodeUpdate(first)).toMatchObject({ score: 80, items: [{ code: 'DIAGNOSIS_REPORT', deduction: 20, sourceId: 'r1' }] });
    expect(nodeUpdate(first)!.items[0]!.description).toContain('MEMORY_LEAK_PROCESS: process python3 (pid 4242)');
    expect(model.onReport(report('r1', 'CRITICAL', 0.8, T0))).toEqual([]);

    // An event on another node 9 minutes later: r1 still counts.
    expect(nodeUpdate(model.onAnomaly(anomaly('b1', 'OPEN', 'INFO', T0 + 9 * MINUTE, 'worker-8')))).toBeUndefined();
    // 10 minutes later: r1 has expired and worker-7 is whole again.
    const later = model.onAnomaly(anomaly('b1', 'UPDATE', 'INFO', T0 + 10 * MINUTE, 'worker-8'));
    expect(nodeUpdate(later)).toMatchObject({ score: 100, items: [], timestampMs: T0 + 10 * MINUTE });
  });

  it('ignores a report that is already older than the window when it arrives', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('a1', 'OPEN', 'INFO', T0 + 30 * MINUTE));
    expect(model.onReport(report('old', 'CRITICAL', 1, T0))).toEqual([]);
  });

  it('lists items largest deduction first and never scores below 0', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('a1', 'OPEN', 'INFO', T0));
    model.onReport(report('r1', 'WARNING', 0.5, T0));
    const afterCritical = nodeUpdate(model.onAnomaly(anomaly('a2', 'OPEN', 'CRITICAL', T0)))!;
    expect(afterCritical.items.map((i) => [i.sourceId, i.deduction])).toEqual([['a2', 25], ['r1', 5], ['a1', 2]]);
    expect(afterCritical.score).toBe(68);
    expect(afterCritical.grade).toBe('UNHEALTHY');
    for (let i = 3; i < 10; i++) model.onAnomaly(anomaly(`a${i}`, 'OPEN', 'CRITICAL', T0));
    // Already at 0: the score cannot fall further, but the explanation changes, so an update still says why.
    const atFloor = nodeUpdate(model.onAnomaly(anomaly('a10', 'OPEN', 'CRITICAL', T0)))!;
    expect(atFloor.score).toBe(0);
    expect(atFloor.items.map((i) => i.sourceId)).toContain('a10');
  });

  it('scores the cluster as the mean of its nodes, naming the worst node first', () => {
    const model = createHealthModel();
    model.onAnomaly(anomaly('b1', 'OPEN', 'WARNING', T0, 'worker-8'));
    const updates = model.onAnomaly(anomaly('a1', 'OPEN', 'CRITICAL', T0, 'worker-7'));
    const cluster = clusterUpdate(updates)!;
    expect(cluster.score).toBe(82.5);
    expect(cluster.grade).toBe('SUBHEALTHY');
    expect(cluster.items.map((i) => [i.code, i.sourceId, i.deduction])).toEqual([['NODE_SCORE', 'a1', 12.5], ['NODE_SCORE', 'b1', 5]]);
    expect(cluster.items[0]!.description).toMatch(/^node worker-7 scores 75 \(SUBHEALTHY\): CRITICAL LEVEL_SHIFT/);
  });

  it('keeps bounded state: past maxChargesPerScope the oldest anomaly is forgotten', () => {
    const model = createHealthModel({ maxChargesPerScope: 2 });
    model.onAnomaly(anomaly('a1', 'OPEN', 'CRITICAL', T0));
    model.onAnomaly(anomaly('a2', 'OPEN', 'WARNING', T0 + 1));
    const node = nodeUpdate(model.onAnomaly(anomaly('a3', 'OPEN', 'WARNING', T0 + 2)))!;
    expect(node.items.map((i) => i.sourceId)).toEqual(['a2', 'a3']);
    expect(node.score).toBe(80);
  });

  it('grades at the documented edges', () => {
    expect([90, 89.99, 70, 69.99, 50, 49.99].map(gradeOf)).toEqual(['HEALTHY', 'SUBHEALTHY', 'SUBHEALTHY', 'UNHEALTHY', 'UNHEALTHY', 'CRITICAL']);
  });
});
