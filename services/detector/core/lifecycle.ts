/**
 * The life of an anomaly on one series. OPEN when `openAfter` of the last `openWindow` judged points
 * are anomalous, or at once when the rule's threshold has held for its `for`; UPDATE when the
 * severity changes (up at once, down after `resolveAfter` points at the lower severity), when the
 * score has grown meaningfully, and every `updateEvery` anomalous points; RESOLVED after
 * `resolveAfter` consecutive quiet points (quiet is judged against lower bars than anomalous, so a
 * signal hovering at the edge neither flaps nor resolves). Kernel events open and resolve by time.
 * Ids are deterministic (series, node, openedAtMs), so a replay re-emits identical records.
 */
import { deterministicId } from '../../../src/codec/ids.js';
import type { Anomaly, AnomalyState, Entity, Severity } from '../../../src/codec/records.generated.js';
import type { LifecycleRule } from './expert-rules.js';
import type { Verdict } from './judge.js';

export interface LifecycleOptions {
  /** An UPDATE at least every this many anomalous points, even if nothing else changed. */
  updateEvery: number;
  /** An UPDATE when the score reaches (1 + this) × the last emitted score. */
  updateScoreGrowth: number;
}

export const defaultLifecycleOptions: LifecycleOptions = { updateEvery: 10, updateScoreGrowth: 0.5 };

export interface SeriesIdentity {
  entity: Entity;
  metric: string;
  series: string;
  labels: Record<string, string>;
}

export interface OpenAnomaly {
  id: string;
  openedAtMs: number;
  kind: Anomaly['kind'];
  severity: Severity;
  models: string[];
  lastEmittedScore: number;
  pointsSinceEmit: number;
  quietRun: number;
  /** Consecutive anomalous points at a severity below the open one. */
  lowerRun: number;
  lastValue: number;
  lastLow: number;
  lastHigh: number;
  lastScore: number;
}

/** A series' lifecycle: the open anomaly, or the recent anomalous points that may open one. */
export interface LifecycleState {
  open: OpenAnomaly | undefined;
  /** The last openWindow judged points while nothing is open: the time of each anomalous one, NaN for the others; oldest first. Undefined while none of them is anomalous (most series, most of the time). */
  pending: number[] | undefined;
}

export function newLifecycle(): LifecycleState {
  return { open: undefined, pending: undefined };
}

export interface JudgedPoint {
  value: number;
  timestampMs: number;
  /** When the threshold was first crossed in its current run (what a held threshold's openedAtMs is). */
  thresholdSinceMs?: number;
}

export function anomalyId(identity: SeriesIdentity, openedAtMs: number): string {
  return deterministicId(identity.series, `${identity.entity.cluster}/${identity.entity.node ?? ''}`, openedAtMs);
}

export const severityRank: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/** Advances the lifecycle by one judged point (mutating state); returns the record to emit, if any. */
export function advance(state: LifecycleState, verdict: Verdict, point: JudgedPoint, identity: SeriesIdentity, rule: LifecycleRule, options: LifecycleOptions = defaultLifecycleOptions): Anomaly | undefined {
  const open = state.open;
  if (!open) {
    if (verdict.held) {
      state.pending = undefined;
      return opened(state, verdict, point, point.thresholdSinceMs ?? point.timestampMs, identity);
    }
    // Nothing anomalous pending: a normal point changes nothing (and no array of NaNs is kept per series).
    if (!verdict.anomalous && state.pending === undefined) return undefined;
    const pending = (state.pending ??= []);
    pending.push(verdict.anomalous ? point.timestampMs : Number.NaN);
    if (pending.length > rule.openWindow) pending.shift();
    const anomalousTimes = pending.filter((t) => !Number.isNaN(t));
    if (anomalousTimes.length === 0) state.pending = undefined;
    if (!verdict.anomalous || anomalousTimes.length < rule.openAfter) return undefined;
    state.pending = undefined;
    return opened(state, verdict, point, anomalousTimes[0]!, identity);
  }

  open.lastValue = point.value;
  open.lastLow = verdict.expectedLow;
  open.lastHigh = verdict.expectedHigh;
  open.lastScore = verdict.score;
  if (!verdict.anomalous && !verdict.held) {
    open.lowerRun = 0;
    open.quietRun = verdict.quiet ? open.quietRun + 1 : 0;
    if (open.quietRun < rule.resolveAfter) return undefined;
    state.open = undefined;
    return anomalyRecord(open, 'RESOLVED', identity, point.timestampMs);
  }

  open.quietRun = 0;
  open.pointsSinceEmit++;
  const escalated = severityRank[verdict.severity] > severityRank[open.severity];
  open.lowerRun = severityRank[verdict.severity] < severityRank[open.severity] ? open.lowerRun + 1 : 0;
  const deescalated = open.lowerRun >= rule.resolveAfter;
  const grew = verdict.score >= open.lastEmittedScore * (1 + options.updateScoreGrowth);
  if (!grew && !escalated && !deescalated && open.pointsSinceEmit < options.updateEvery) return undefined;
  open.kind = verdict.kind;
  if (escalated || deescalated) open.severity = verdict.severity;
  open.models = verdict.models;
  open.lastEmittedScore = verdict.score;
  open.pointsSinceEmit = 0;
  open.lowerRun = 0;
  return anomalyRecord(open, 'UPDATE', identity, point.timestampMs);
}

function opened(state: LifecycleState, verdict: Verdict, point: JudgedPoint, openedAtMs: number, identity: SeriesIdentity): Anomaly {
  const open: OpenAnomaly = {
    id: anomalyId(identity, openedAtMs),
    openedAtMs,
    kind: verdict.kind,
    severity: verdict.severity,
    models: verdict.models,
    lastEmittedScore: verdict.score,
    pointsSinceEmit: 0,
    quietRun: 0,
    lowerRun: 0,
    lastValue: point.value,
    lastLow: verdict.expectedLow,
    lastHigh: verdict.expectedHigh,
    lastScore: verdict.score,
  };
  state.open = open;
  return anomalyRecord(open, 'OPEN', identity, point.timestampMs);
}

/** An EVENT anomaly (a kernel OOM kill, lockup, ...): opened by one sample, with the event's own time as openedAtMs. */
export function openEvent(identity: SeriesIdentity, eventAtMs: number, observedAtMs: number, value: number, severity: Severity, model: string): { open: OpenAnomaly; record: Anomaly } {
  const open: OpenAnomaly = {
    id: anomalyId(identity, eventAtMs),
    openedAtMs: eventAtMs,
    kind: 'EVENT',
    severity,
    models: [`expert:${model}`],
    lastEmittedScore: 1,
    pointsSinceEmit: 0,
    quietRun: 0,
    lowerRun: 0,
    lastValue: value,
    lastLow: 0,
    lastHigh: 0,
    lastScore: 1,
  };
  return { open, record: anomalyRecord(open, 'OPEN', identity, observedAtMs) };
}

/** RESOLVED without a judged point: the series went away, or an event's time is up. */
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
    models: [...open.models],
    openedAtMs: open.openedAtMs,
    observedAtMs,
    resolvedAtMs: state === 'RESOLVED' ? observedAtMs : null,
  };
}
