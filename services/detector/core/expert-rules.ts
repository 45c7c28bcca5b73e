/**
 * Expert knowledge per metric, as data: which deviations matter, how large a change must be to
 * count, and hard floors that are anomalous whatever the statistics say. The first rule whose
 * metric (and labels) match a series applies; the table in ../rules ends with a catch-all.
 */
import type { Severity } from '../../../src/codec/records.generated.js';

export type Direction = 'SPIKE' | 'DIP';

/** A hard limit as a share of another node-level metric, e.g. MemAvailable below 5 % of MemTotal. */
export interface RatioFloor {
  /** Model name in `models`, without the `expert:` prefix. */
  name: string;
  /** Unlabelled metric of the same batch the value is divided by. */
  ofMetric: string;
  /** value / ofMetric below this is anomalous. */
  below: number;
  severity: Severity;
}

export interface ExpertRule {
  /** Model name in `models`, without the `expert:` prefix. */
  name: string;
  metric: string | RegExp;
  /** Every listed label must match, e.g. { mode: /^(?!idle$)/ }. */
  labels?: Readonly<Record<string, RegExp>>;
  /** false: the series is not judged at all (kept out of detection). */
  judge?: boolean;
  /** Deviations that can be anomalous; both when absent. */
  directions?: readonly Direction[];
  /** A change smaller than this share of |median| is not anomalous. */
  minRelativeChange?: number;
  /** A change smaller than this, in the series' unit, is not anomalous. */
  minAbsoluteChange?: number;
  /** A change smaller than ratio × the batch's value of metric is not anomalous. */
  minChangeOf?: { metric: string; ratio: number };
  /** Values below this are never anomalous by statistics (an idle-ish CPU is not news). */
  neverAnomalousBelow?: number;
  floor?: RatioFloor;
  /**
   * A steady move in the rule's direction over the last `points` points is anomalous once it is as
   * large as the gates ask, even when a noisy window hides it from the z-score (a leak).
   */
  trend?: { points: number; minSteadyShare: number };
  /** Severity of a statistical anomaly of this metric; by score when absent. */
  severity?: Severity;
}

/** Unlabelled metrics of the batch being judged, by name: what ratios and relative gates read. */
export type BatchValues = ReadonlyMap<string, number>;

export function ruleFor(rules: readonly ExpertRule[], metric: string, labels: Readonly<Record<string, string>>): ExpertRule | undefined {
  return rules.find((rule) => {
    const metricMatches = typeof rule.metric === 'string' ? rule.metric === metric : rule.metric.test(metric);
    if (!metricMatches) return false;
    return Object.entries(rule.labels ?? {}).every(([label, pattern]) => pattern.test(labels[label] ?? ''));
  });
}

/** Whether a statistical deviation of value from median is large enough, in the right direction, to count. */
export function passesGates(rule: ExpertRule, value: number, median: number, batch: BatchValues): boolean {
  const direction: Direction = value < median ? 'DIP' : 'SPIKE';
  if (rule.directions && !rule.directions.includes(direction)) return false;
  if (rule.neverAnomalousBelow !== undefined && value < rule.neverAnomalousBelow) return false;
  const change = Math.abs(value - median);
  if (change < (rule.minRelativeChange ?? 0) * Math.abs(median)) return false;
  if (change < (rule.minAbsoluteChange ?? 0)) return false;
  if (rule.minChangeOf) {
    const total = batch.get(rule.minChangeOf.metric);
    if (total !== undefined && change < rule.minChangeOf.ratio * total) return false;
  }
  return true;
}

/** The smallest change the gates let through, for this batch. */
export function minimumChange(rule: ExpertRule, median: number, batch: BatchValues): number {
  const ofMetric = rule.minChangeOf ? (batch.get(rule.minChangeOf.metric) ?? 0) * rule.minChangeOf.ratio : 0;
  return Math.max(rule.minAbsoluteChange ?? 0, (rule.minRelativeChange ?? 0) * Math.abs(median), ofMetric);
}

/** Score ≥ 1 when the floor is crossed (limit / ratio), with the band [limit, total]; undefined when the ratio cannot be read. */
export function floorScore(floor: RatioFloor, value: number, batch: BatchValues): { score: number; low: number; high: number } | undefined {
  const total = batch.get(floor.ofMetric);
  if (total === undefined || !(total > 0)) return undefined;
  const limit = floor.below * total;
  const score = value <= 0 ? Number.MAX_VALUE : limit / value;
  return { score, low: limit, high: total };
}
