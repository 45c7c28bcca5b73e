/**
 * One point's verdict, in two steps. `statistics()` is the statistical opinion of the point (today
 * the robust z-score on median / MAD and the trend model; the detection engine's SeriesScorer
 * replaces it): {score, expectedLow, expectedHigh, kind, votes}, score ≥ 1 meaning anomalous.
 * `judge()` then applies the expert rule: its gates, its threshold, and the lower bars that decide
 * whether a point is quiet enough to count towards resolving (hysteresis).
 */
import type { AnomalyKind, Severity } from '../../../src/codec/records.generated.js';
import { minimumChange, passesGates, type BatchValues, type ExpertRule, type ThresholdReading } from './expert-rules.js';
import { expectedBand, madToSigma, robustBaseline, robustZ, type Baseline, type RobustBaselineOptions } from './robust-baseline.js';

export interface StatisticalVerdict {
  /** ≥ 1: the statistics call the point anomalous (before the rule's gates). */
  score: number;
  expectedLow: number;
  expectedHigh: number;
  kind: AnomalyKind;
  /** Models that voted, e.g. robust-zscore, trend. */
  votes: string[];
  /** What the deviation is measured from (the median; the trend's start); the band's middle when absent. */
  reference?: number;
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

export interface JudgeOptions extends RobustBaselineOptions {
  /** Statistical score at or above this is CRITICAL (unless the rule sets a severity). */
  criticalScore: number;
}

const normalScoreCeiling = 0.99;

/**
 * The smallest change the expert rule calls meaningful sits exactly on the edge of the band, so a
 * flat series (MAD near 0) gets a realistic band and a score that reads as "times the threshold",
 * not billions.
 */
function withExpertSpread(baseline: Baseline, rule: ExpertRule, threshold: number): Baseline {
  const gate = rule.minimumChange;
  const meaningfulChange = Math.max(gate?.absolute ?? 0, (gate?.relative ?? 0) * Math.abs(baseline.median));
  const madFloor = meaningfulChange / threshold / madToSigma;
  return baseline.mad >= madFloor ? baseline : { ...baseline, mad: madFloor };
}

/**
 * Trend model: the move from `points` points ago to now, when most steps went the same way and the
 * move is at least the gates' minimum. Score = move / minimum.
 */
export function trendScore(value: number, recent: readonly number[], rule: ExpertRule, median: number, labels: Readonly<Record<string, string>>, batch: BatchValues): { score: number; kind: 'DIP' | 'SPIKE'; from: number } | undefined {
  if (!rule.trend || recent.length < rule.trend.points) return undefined;
  const points = [...recent.slice(-rule.trend.points), value];
  const from = points[0]!;
  const kind = value < from ? 'DIP' : 'SPIKE';
  if (rule.directions && !rule.directions.includes(kind)) return undefined;
  let steady = 0;
  for (let i = 1; i < points.length; i++) if (kind === 'DIP' ? points[i]! < points[i - 1]! : points[i]! > points[i - 1]!) steady++;
  if (steady / (points.length - 1) < rule.trend.minSteadyShare) return undefined;
  const minimum = minimumChange(rule, median, labels, batch);
  if (!(minimum > 0)) return undefined;
  return { score: Math.abs(value - from) / minimum, kind, from };
}

/** The statistical verdict on value given the series' window (oldest first); undefined while the window is too short. */
export function statistics(value: number, window: readonly number[], rule: ExpertRule, labels: Readonly<Record<string, string>>, batch: BatchValues, options: RobustBaselineOptions): StatisticalVerdict | undefined {
  const raw = robustBaseline(window, options);
  if (!raw) return undefined;
  const baseline = withExpertSpread(raw, rule, options.threshold);
  const zScore = Math.abs(robustZ(value, baseline)) / options.threshold;
  const band = expectedBand(baseline, options.threshold);
  const zVotes = zScore >= 1 && passesGates(rule, value, baseline.median, labels, batch);
  const trend = zVotes ? undefined : trendScore(value, window, rule, baseline.median, labels, batch);
  if (trend && trend.score >= 1) {
    return { score: trend.score, expectedLow: Math.min(band.low, trend.from), expectedHigh: Math.max(band.high, trend.from), kind: 'TREND', votes: ['trend'], reference: trend.from };
  }
  return { score: zScore, expectedLow: band.low, expectedHigh: band.high, kind: value < baseline.median ? 'DIP' : 'SPIKE', votes: zVotes ? ['robust-zscore'] : [], reference: baseline.median };
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
export function judge(point: PointToJudge, options: Pick<JudgeOptions, 'criticalScore'>): Verdict | undefined {
  const { value, labels, rule, batch, stats, threshold } = point;
  if (!stats && !threshold) return undefined;
  const reference = stats ? (stats.reference ?? (stats.expectedLow + stats.expectedHigh) / 2) : value;
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
