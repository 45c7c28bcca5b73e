/**
 * One point's verdict: the robust z-score against the series' baseline, gated by the expert rule
 * of its metric, plus the rule's hard floor. Score ≥ 1 means anomalous; a normal point's score is
 * kept below 1 so it never reads as anomalous downstream.
 */
import type { AnomalyKind, Severity } from '../../../src/codec/records.generated.js';
import { floorScore, minimumChange, passesGates, type BatchValues, type ExpertRule } from './expert-rules.js';
import { expectedBand, madToSigma, robustZ, type Baseline } from './robust-baseline.js';

export interface Verdict {
  anomalous: boolean;
  kind: AnomalyKind;
  severity: Severity;
  score: number;
  expectedLow: number;
  expectedHigh: number;
  models: string[];
}

export interface JudgeOptions {
  /** |z| at or above this votes anomalous. */
  threshold: number;
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
  const meaningfulChange = Math.max(rule.minAbsoluteChange ?? 0, (rule.minRelativeChange ?? 0) * Math.abs(baseline.median));
  const madFloor = meaningfulChange / threshold / madToSigma;
  return baseline.mad >= madFloor ? baseline : { ...baseline, mad: madFloor };
}

/** The verdict on value, or undefined when there is neither a baseline nor a floor to judge by. */
/**
 * Trend model: the move from `points` points ago to now, when most steps went the same way and the
 * move is at least the gates' minimum. Score = move / minimum.
 */
export function trendScore(value: number, recent: readonly number[], rule: ExpertRule, median: number, batch: BatchValues): { score: number; kind: 'DIP' | 'SPIKE'; from: number } | undefined {
  if (!rule.trend || recent.length < rule.trend.points) return undefined;
  const points = [...recent.slice(-rule.trend.points), value];
  const from = points[0]!;
  const kind = value < from ? 'DIP' : 'SPIKE';
  if (rule.directions && !rule.directions.includes(kind)) return undefined;
  let steady = 0;
  for (let i = 1; i < points.length; i++) if (kind === 'DIP' ? points[i]! < points[i - 1]! : points[i]! > points[i - 1]!) steady++;
  if (steady / (points.length - 1) < rule.trend.minSteadyShare) return undefined;
  const minimum = minimumChange(rule, median, batch);
  if (!(minimum > 0)) return undefined;
  return { score: Math.abs(value - from) / minimum, kind, from };
}

export function judge(value: number, baseline: Baseline | undefined, rule: ExpertRule, batch: BatchValues, options: JudgeOptions, recent: readonly number[] = []): Verdict | undefined {
  const floor = rule.floor ? floorScore(rule.floor, value, batch) : undefined;
  if (!baseline && !floor) return undefined;

  let zScore = 0;
  let zVotes = false;
  let band = floor ? { low: floor.low, high: floor.high } : { low: value, high: value };
  if (baseline) {
    baseline = withExpertSpread(baseline, rule, options.threshold);
    const z = robustZ(value, baseline);
    zScore = Math.abs(z) / options.threshold;
    zVotes = zScore >= 1 && passesGates(rule, value, baseline.median, batch);
    band = expectedBand(baseline, options.threshold);
  }
  const expertModel = rule.name === 'default' ? [] : [`expert:${rule.name}`];
  const direction: AnomalyKind = baseline && value < baseline.median ? 'DIP' : 'SPIKE';

  if (floor && floor.score >= 1 && rule.floor) {
    return {
      anomalous: true,
      kind: 'THRESHOLD',
      severity: rule.floor.severity,
      score: Math.max(floor.score, zVotes ? zScore : 0),
      expectedLow: band.low,
      expectedHigh: band.high,
      models: [...(zVotes ? ['robust-zscore'] : []), `expert:${rule.floor.name}`],
    };
  }
  const trend = baseline ? trendScore(value, recent, rule, baseline.median, batch) : undefined;
  if (!zVotes && trend && trend.score >= 1) {
    return {
      anomalous: true,
      kind: 'TREND',
      severity: rule.severity ?? (trend.score >= options.criticalScore ? 'CRITICAL' : 'WARNING'),
      score: trend.score,
      expectedLow: Math.min(band.low, trend.from),
      expectedHigh: Math.max(band.high, trend.from),
      models: ['trend', ...expertModel],
    };
  }
  if (zVotes) {
    return {
      anomalous: true,
      kind: direction,
      severity: rule.severity ?? (zScore >= options.criticalScore ? 'CRITICAL' : 'WARNING'),
      score: zScore,
      expectedLow: band.low,
      expectedHigh: band.high,
      models: ['robust-zscore', ...expertModel],
    };
  }
  return {
    anomalous: false,
    kind: direction,
    severity: 'INFO',
    score: Math.min(zScore, normalScoreCeiling),
    expectedLow: band.low,
    expectedHigh: band.high,
    models: [],
  };
}
