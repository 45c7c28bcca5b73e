/**
 * The life of an anomaly on one series: OPEN on the first anomalous point, UPDATE while it goes on
 * and the score has grown meaningfully (or every updateEvery points), RESOLVED after resolveAfter
 * consecutive normal points. Ids are deterministic, so a replay re-emits identical records.
 */
import { deterministicId } from '../../../src/codec/ids.js';
import type { Anomaly, AnomalyKind, AnomalyState, Entity, Severity } from '../../../src/codec/records.generated.js';
import type { Verdict } from './judge.js';

export interface LifecycleOptions {
  /** Consecutive normal points that resolve an open anomaly. */
  resolveAfter: number;
  /** An UPDATE at least every this many anomalous points, even if the score did not grow. */
  updateEvery: number;
  /** An UPDATE when the score reaches (1 + this) × the last emitted score, or the severity rises. */
  updateScoreGrowth: number;
}

export const defaultLifecycleOptions: LifecycleOptions = { resolveAfter: 3, updateEvery: 10, updateScoreGrowth: 0.5 };

export interface SeriesIdentity {
  entity: Entity;
  metric: string;
  series: string;
  labels: Record<string, string>;
}

export interface OpenAnomaly {
  id: string;
  openedAtMs: number;
  kind: AnomalyKind;
  severity: Severity;
  models: string[];
  lastEmittedScore: number;
  pointsSinceEmit: number;
  normalRun: number;
  lastValue: number;
  lastLow: number;
  lastHigh: number;
  lastScore: number;
}

export function anomalyId(identity: SeriesIdentity, openedAtMs: number): string {
  return deterministicId(identity.series, `${identity.entity.cluster}/${identity.entity.node ?? ''}`, openedAtMs);
}

const severityRank: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/** Advances the lifecycle by one judged point; returns the new open anomaly (if any) and the record to emit (if any). */
export function advance(
  open: OpenAnomaly | undefined,
  verdict: Verdict,
  value: number,
  observedAtMs: number,
  identity: SeriesIdentity,
  options: LifecycleOptions = defaultLifecycleOptions,
): { open: OpenAnomaly | undefined; record: Anomaly | undefined } {
  if (!open) {
    if (!verdict.anomalous) return { open: undefined, record: undefined };
    const opened: OpenAnomaly = {
      id: anomalyId(identity, observedAtMs),
      openedAtMs: observedAtMs,
      kind: verdict.kind,
      severity: verdict.severity,
      models: verdict.models,
      lastEmittedScore: verdict.score,
      pointsSinceEmit: 0,
      normalRun: 0,
      lastValue: value,
      lastLow: verdict.expectedLow,
      lastHigh: verdict.expectedHigh,
      lastScore: verdict.score,
    };
    return { open: opened, record: anomalyRecord(opened, 'OPEN', identity, observedAtMs) };
  }

  const next: OpenAnomaly = { ...open, lastValue: value, lastLow: verdict.expectedLow, lastHigh: verdict.expectedHigh, lastScore: verdict.score };
  if (!verdict.anomalous) {
    next.normalRun = open.normalRun + 1;
    if (next.normalRun < options.resolveAfter) return { open: next, record: undefined };
    return { open: undefined, record: anomalyRecord(next, 'RESOLVED', identity, observedAtMs) };
  }

  next.normalRun = 0;
  next.pointsSinceEmit = open.pointsSinceEmit + 1;
  const grew = verdict.score >= open.lastEmittedScore * (1 + options.updateScoreGrowth);
  const escalated = severityRank[verdict.severity] > severityRank[open.severity];
  if (!grew && !escalated && next.pointsSinceEmit < options.updateEvery) return { open: next, record: undefined };
  next.kind = verdict.kind;
  next.severity = escalated ? verdict.severity : open.severity;
  next.models = verdict.models;
  next.lastEmittedScore = verdict.score;
  next.pointsSinceEmit = 0;
  return { open: next, record: anomalyRecord(next, 'UPDATE', identity, observedAtMs) };
}

/** RESOLVED for an anomaly whose series went away (dropped from its source, or the source went stale). */
export function resolveGone(open: OpenAnomaly, identity: SeriesIdentity, observedAtMs: number): Anomaly {
  return anomalyRecord(open, 'RESOLVED', identity, observedAtMs);
}

function anomalyRecord(open: OpenAnomaly, state: AnomalyState, identity: SeriesIdentity, observedAtMs: number): Anomaly {
  return {
    eventId: deterministicId(open.id, state, observedAtMs),
    id: open.id,
    entity: identity.entity,
    metric: identity.metric,
    series: identity.series,
    labels: identity.labels,
    kind: open.kind,
    state,
    severity: open.severity,
    score: open.lastScore,
    value: open.lastValue,
    expectedLow: open.lastLow,
    expectedHigh: open.lastHigh,
    models: open.models,
    openedAtMs: open.openedAtMs,
    observedAtMs,
    resolvedAtMs: state === 'RESOLVED' ? observedAtMs : null,
  };
}
