import { describe, expect, it } from 'vitest';
import { deterministicId } from '../../../src/codec/ids.js';
import type { Anomaly, AnomalyState, DiagnosisReport, Entity } from '../../../src/codec/records.generated.js';
import { createConsoleState } from './console-state.js';

const T0 = Date.UTC(2026, 10, 25, 7, 0, 0);
const node = (name: string): Entity => ({ cluster: 'c', node: name, namespace: null, pod: null, container: null });

function step(id: string, state: AnomalyState, atMs: number, options: Partial<Anomaly> = {}): Anomaly {
  return {
    eventId: deterministicId(id, state, atMs), id, entity: node('n1'), metric: 'm', series: 'm{}', labels: {}, kind: 'DIP', state,
    severity: 'WARNING', score: 2, value: 1, expectedLow: 5, expectedHigh: 10, models: ['robust-zscore'],
    openedAtMs: T0, observedAtMs: atMs, resolvedAtMs: state === 'RESOLVED' ? atMs : null, ...options,
  };
}

function report(id: string, createdAtMs: number, entity = node('n1')): DiagnosisReport {
  return {
    id, requestId: `r-${id}`, anomalyIds: [], entity, scenario: 'MEMORY', rootCause: { code: 'X', summary: id }, evidence: [], suggestions: [],
    confidence: 1, severity: 'WARNING', kubernetes: {}, createdAtMs, findings: [], missingEvidence: [],
  };
}

describe('console state', () => {
  it('keeps the steps of an anomaly in time order, a redelivered step once, and what it is now from the latest step', () => {
    const state = createConsoleState();
    state.onAnomaly(step('a', 'OPEN', T0));
    state.onAnomaly(step('a', 'UPDATE', T0 + 2_000, { value: 0.5, severity: 'CRITICAL' }));
    state.onAnomaly(step('a', 'OPEN', T0));
    state.onAnomaly(step('a', 'UPDATE', T0 + 1_000, { value: 0.8 }));
    const [anomaly] = state.anomalies();
    expect(anomaly!.steps.map((entry) => [entry.atMs - T0, entry.value])).toEqual([[0, 1], [1_000, 0.8], [2_000, 0.5]]);
    expect(anomaly).toMatchObject({ state: 'UPDATE', severity: 'CRITICAL', value: 0.5, open: true });
  });

  it('counts open anomalies by kind and node; resolved and stale ones stay listed but not open', () => {
    const state = createConsoleState({ staleAfterMs: 60_000 });
    state.onAnomaly(step('a', 'OPEN', T0));
    state.onAnomaly(step('b', 'OPEN', T0, { kind: 'SPIKE', entity: node('n2') }));
    state.onAnomaly(step('b', 'RESOLVED', T0 + 5_000, { kind: 'SPIKE', entity: node('n2') }));
    state.onAnomaly(step('b', 'UPDATE', T0 + 4_000, { kind: 'SPIKE', entity: node('n2') }));
    expect(state.openCountsByKind()).toMatchObject({ DIP: 1, SPIKE: 0 });
    expect([...state.openCountsByNode()]).toEqual([['c/n1', 1]]);
    expect(state.anomalies({ node: 'n2' })[0]).toMatchObject({ state: 'RESOLVED', open: false });
    expect(state.anomalies({ node: 'n2' })[0]!.steps).toHaveLength(3);

    state.onAnomaly(step('c', 'OPEN', T0 + 61_000, { entity: node('n3') }));
    expect(state.anomalies({ node: 'n1' })[0]).toMatchObject({ state: 'OPEN', open: false });
    expect(state.stats()).toEqual({ anomalies: 3, openAnomalies: 1, reports: 0 });
  });

  it('is bounded: anomalies, steps and reports beyond their limits forget the oldest', () => {
    const state = createConsoleState({ maxOpenAnomalies: 2, maxResolvedAnomalies: 1, maxStepsPerAnomaly: 3, maxReports: 2 });
    for (let index = 0; index < 5; index++) state.onAnomaly(step('a', 'UPDATE', T0 + index));
    expect(state.anomalies()[0]!.steps.map((entry) => entry.atMs - T0)).toEqual([2, 3, 4]);
    state.onAnomaly(step('b', 'OPEN', T0 + 10));
    state.onAnomaly(step('c', 'OPEN', T0 + 11));
    expect(state.anomalies().map((entry) => entry.id)).toEqual(['c', 'b']);
    state.onAnomaly(step('b', 'RESOLVED', T0 + 12));
    state.onAnomaly(step('c', 'RESOLVED', T0 + 13));
    expect(state.anomalies().map((entry) => entry.id)).toEqual(['c']);
    for (const id of ['r1', 'r2', 'r3']) state.onReport(report(id, T0));
    expect(state.reports().map((entry) => entry.id).sort()).toEqual(['r2', 'r3']);
    expect(state.report('r1')).toBeUndefined();
  });

  it('lists reports newest first, by node, with a limit', () => {
    const state = createConsoleState();
    state.onReport(report('old', T0));
    state.onReport(report('new', T0 + 1_000));
    state.onReport(report('other', T0 + 2_000, node('n2')));
    expect(state.reports({ node: 'n1' }).map((entry) => entry.id)).toEqual(['new', 'old']);
    expect(state.reports({ limit: 1 }).map((entry) => entry.id)).toEqual(['other']);
    expect(state.report('old')?.requestId).toBe('r-old');
  });
});
