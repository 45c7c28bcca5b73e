/**
 * One point's verdict, in two steps. `statistics()` turns the detection engine's verdict on the
 * point (services/detector/engine: the fused score of the models the series' class calls for) into
 * the statistical opinion {score, expectedLow, expectedHigh, kind, votes}, score ≥ 1 meaning
 * anomalous, with the expert rule's own trend model beside it. `judge()` then applies the expert
 * rule: its gates (directions, never-anomalous floors, minimum change), its threshold, and the
 * lower bars that decide whether a point is quiet enough to count towards resolving (hysteresis).
 *
 * The engine scores changes: a new level is anomalous for the few points it takes its models to
 * learn it. An operator's anomaly is the whole time a series stays away from where it was, so from
 * the engine's alarm on, the expected band is held where the engine put it before the change
 * (`EngineHold`) and each point is also measured against it, for at most `holdPoints` points (after
 * that the new level is normal) or until the series is back inside it.
 */
import type { AnomalyKind, Severity } from '../../../src/codec/records.generated.js';
import type { PointVerdict } from '../engine/series-scorer.js';
import { minimumChange, passesGates, type BatchValues, type ExpertRule, type ThresholdReading } from './expert-rules.js';

export interface StatisticalVerdict {
  /** ≥ 1: the statistics call the point anomalous (before the rule's gates). */
  score: number;
  expectedLow: number;
  expectedHigh: number;
  kind: AnomalyKind;
  /** Models that voted, e.g. robust-zscore, level-shift, trend. */
  votes: string[];
  /** What the deviation is measured from (the band's middle; the trend's start). */
  reference: number;
}

export interface Verdict {
  /** Statistically anomalous after the rule's gates: counts towards opening (k of n). */
  anomalous: boolean;
  /** The rule's threshold crossed for its whole `for`: opens at once. */
  held: boolean;
  /** Not anomalous even with every bar at the rule's resolveLevel, and the threshold clear: counts towards resolving. */
  quiet: boolean;
  kind: AnomalyKind;
  severity: Severity;
  score: number;
  expectedLow: number;
  expectedHigh: number;
  models: string[];
}

export interface JudgeOptions {
  /** Statistical score at or above this is CRITICAL (unless the rule sets a severity). */
  criticalScore: number;
}

export interface EngineJudgeOptions {
  /** The engine's fused score from which a point is anomalous (its models' common alarm level). */
  alarmScore: number;
  /** Points the band before an alarm is held at most. */
  holdPoints: number;
}

export const defaultEngineJudgeOptions: EngineJudgeOptions = { alarmScore: 0.5, holdPoints: 30 };

/** The band the engine expected before its last alarm, while the series has not come back to it. */
export interface EngineHold {
  /** Points the hold still lasts (at least 1: a hold that is over is dropped). */
  left: number;
  center: number;
  halfWidth: number;
  kind: AnomalyKind;
  votes: string[];
}

/** Where a series keeps its hold: undefined while it holds nothing. */
export interface HoldingSeries {
  hold: EngineHold | undefined;
}

const normalScoreCeiling = 0.99;

/**
 * Trend model of the rule: the move from `points` points ago to now, when most steps went the same
 * way and the move is at least the gates' minimum. Score = move / minimum.
 */
export function trendScore(value: number, recent: readonly number[], rule: ExpertRule, reference: number, labels: Readonly<Record<string, string>>, batch: BatchValues): { score: number; kind: 'DIP' | 'SPIKE'; from: number } | undefined {
  if (!rule.trend || recent.length < rule.trend.points) return undefined;
  const points = [...recent.slice(-rule.trend.points), value];
  const from = points[0]!;
  const kind = value < from ? 'DIP' : 'SPIKE';
  if (rule.directions && !rule.directions.includes(kind)) return undefined;
  let steady = 0;
  for (let i = 1; i < points.length; i++) if (kind === 'DIP' ? points[i]! < points[i - 1]! : points[i]! > points[i - 1]!) steady++;
  if (steady / (points.length - 1) < rule.trend.minSteadyShare) return undefined;
  const minimum = minimumChange(rule, reference, labels, batch);
  if (!(minimum > 0)) return undefined;
  return { score: Math.abs(value - from) / minimum, kind, from };
}

/**
 * The statistical verdict on value from the engine's verdict on it (updating the hold); undefined
 * while the engine has no band yet. `recent` is the series' window before value (oldest first), for
 * the rule's trend model.
 */
export function statistics(value: number, engine: PointVerdict, series: HoldingSeries, recent: readonly number[], rule: ExpertRule, labels: Readonly<Record<string, string>>, batch: BatchValues, options: EngineJudgeOptions = defaultEngineJudgeOptions): StatisticalVerdict | undefined {
  if (!Number.isFinite(engine.expectedLow) || !Number.isFinite(engine.expectedHigh)) return undefined;
  const center = (engine.expectedLow + engine.expectedHigh) / 2;
  // The smallest change the rule calls meaningful is the least half-width: a flat series (no noise)
  // still gets a band an operator can read, and deviations read as "times the band".
  const halfWidth = Math.max((engine.expectedHigh - engine.expectedLow) / 2, minimumChange(rule, center, labels, batch), Number.MIN_VALUE);
  const alarmed = engine.score >= options.alarmScore;
  const votes = alarmed ? engine.votes.map((vote) => vote.model) : [];
  if (alarmed && options.holdPoints > 0) {
    series.hold ??= { left: 0, center, halfWidth, kind: engine.kind, votes };
    series.hold.left = options.holdPoints;
  }
  const hold = series.hold;
  let score = engine.score / options.alarmScore;
  let verdict: StatisticalVerdict;
  if (hold !== undefined) {
    const deviation = Math.abs(value - hold.center) / hold.halfWidth;
    hold.left = deviation < rule.lifecycle.resolveLevel && !alarmed ? 0 : hold.left - 1;
    // Over: most series hold nothing most of the time, and keep no hold.
    if (hold.left <= 0) series.hold = undefined;
    score = Math.max(score, deviation);
    verdict = {
      score, expectedLow: hold.center - hold.halfWidth, expectedHigh: hold.center + hold.halfWidth,
      kind: alarmed ? engine.kind : hold.kind, votes: alarmed ? votes : hold.votes, reference: hold.center,
    };
  } else {
    verdict = { score, expectedLow: center - halfWidth, expectedHigh: center + halfWidth, kind: engine.kind, votes, reference: center };
  }
  if (verdict.score >= 1 && passesGates(rule, value, verdict.reference, labels, batch)) return verdict;
  const trend = trendScore(value, recent, rule, verdict.reference, labels, batch);
  if (trend && trend.score >= 1) {
    return { score: trend.score, expectedLow: Math.min(verdict.expectedLow, trend.from), expectedHigh: Math.max(verdict.expectedHigh, trend.from), kind: 'TREND', votes: ['trend'], reference: trend.from };
  }
  return verdict;
}

export interface PointToJudge {
  value: number;
  labels: Readonly<Record<string, string>>;
  rule: ExpertRule;
  batch: BatchValues;
  stats?: StatisticalVerdict;
  threshold?: ThresholdReading;
  /** The threshold has been crossed for its whole `for` (the caller keeps the time it was first crossed). */
  thresholdHeld: boolean;
}

/** The verdict on one point, or undefined when there is neither a statistical verdict nor a threshold reading. */
export function judge(point: PointToJudge, options: JudgeOptions): Verdict | undefined {
  const { value, labels, rule, batch, stats, threshold } = point;
  if (!stats && !threshold) return undefined;
  const reference = stats ? stats.reference : value;
  const anomalous = stats !== undefined && stats.score >= 1 && passesGates(rule, value, reference, labels, batch);
  const level = rule.lifecycle.resolveLevel;
  const statsQuiet = !stats || stats.score < level || !passesGates(rule, value, reference, labels, batch, level);
  const quiet = statsQuiet && (threshold?.clear ?? true);
  const held = point.thresholdHeld && threshold?.crossed === true && rule.threshold !== undefined;
  const statsModels = [...(stats?.votes ?? []), `expert:${rule.name}`];

  if (held) {
    return {
      anomalous, held, quiet: false,
      kind: rule.threshold!.kind,
      severity: rule.threshold!.severity,
      score: Math.max(threshold!.score, anomalous ? stats!.score : 0),
      expectedLow: threshold!.low,
      expectedHigh: threshold!.high,
      models: [...(anomalous ? stats!.votes : []), `expert:${rule.threshold!.name}`],
    };
  }
  if (anomalous) {
    return {
      anomalous, held, quiet,
      kind: stats!.kind,
      severity: rule.severity ?? (stats!.score >= options.criticalScore ? 'CRITICAL' : 'WARNING'),
      score: stats!.score,
      expectedLow: stats!.expectedLow,
      expectedHigh: stats!.expectedHigh,
      models: statsModels,
    };
  }
  return {
    anomalous, held, quiet,
    kind: stats?.kind ?? rule.threshold?.kind ?? 'THRESHOLD',
    severity: 'INFO',
    score: Math.min(Math.max(stats?.score ?? 0, threshold?.score ?? 0), normalScoreCeiling),
    expectedLow: stats?.expectedLow ?? threshold!.low,
    expectedHigh: stats?.expectedHigh ?? threshold!.high,
    models: [],
  };
}
