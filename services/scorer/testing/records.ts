/** Records the scorer's tests feed it: anomaly steps and diagnosis reports on cluster prod-eu. */
import { deterministicId } from '../../../src/codec/ids.js';
import type { Anomaly, AnomalyState, DiagnosisReport, Severity } from '../../../src/codec/records.generated.js';

export const T0 = Date.UTC(2026, 10, 24, 7, 0, 0);

/** Where an anomaly is: a node (worker-7 by default), or a pod on it. */
export interface Where {
  node?: string | null;
  namespace?: string;
  pod?: string;
  metric?: string;
}

/** An anomaly step of a memory series on prod-eu, opened at T0. */
export function anomaly(id: string, state: AnomalyState, severity: Severity, observedAtMs: number, where: Where = {}): Anomaly {
  const metric = where.metric ?? (where.pod ? 'cgroup_memory_working_set_bytes' : 'node_memory_MemAvailable_bytes');
  return {
    eventId: deterministicId(id, state, observedAtMs),
    id,
    entity: { cluster: 'prod-eu', node: where.node === undefined ? 'worker-7' : where.node, namespace: where.pod ? (where.namespace ?? 'shop') : null, pod: where.pod ?? null, container: null },
    metric,
    series: `${metric}{}`,
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

/** A node's MEMORY_LEAK_PROCESS report on prod-eu. */
export function report(id: string, severity: Severity, confidence: number, createdAtMs: number, node = 'worker-7'): DiagnosisReport {
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
