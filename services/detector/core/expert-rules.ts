/**
 * Expert knowledge per metric, as data (loaded from a rule file, ../rules/default-rules.yaml):
 * which series are judged by statistics at all, which deviations count, how large a change must be,
 * thresholds that are anomalous whatever the statistics say, kernel events, the lifecycle of the
 * anomalies and the diagnosis scenario. The first rule whose metric and labels match applies.
 */
import type { Scenario, Severity } from '../../../src/codec/records.generated.js';
import { seriesKey } from './series-key.js';

export type Direction = 'SPIKE' | 'DIP';

/** Tests a metric name or a label value: an exact string, a glob or a regular expression, compiled. */
export interface Matcher {
  test(value: string): boolean;
}

/**
 * Always anomalous: the value (or value / ratioTo, the partner series with the same labels in the
 * same batch; for counters, the ratio of their rates) above `above` or below `below` for `forMs`.
 * Once open, it resolves only when the value is back beyond `clear` (hysteresis).
 */
export interface Threshold {
  /** Model name in `models`, without the `expert:` prefix. */
  name: string;
  above?: number;
  below?: number;
  ratioTo?: string;
  forMs: number;
  clear: number;
  severity: Severity;
  kind: 'THRESHOLD' | 'HIGH_WATERMARK';
}

/**
 * When an anomaly opens and resolves: a statistical one opens when `openAfter` of the last
 * `openWindow` points are anomalous (a threshold opens once it has held for its `for`); any
 * resolves after `resolveAfter` consecutive quiet points, quiet meaning not anomalous even with
 * every bar lowered to `resolveLevel` of its height.
 */
export interface LifecycleRule {
  openAfter: number;
  openWindow: number;
  resolveAfter: number;
  resolveLevel: number;
}

export const defaultLifecycleRule: LifecycleRule = { openAfter: 3, openWindow: 5, resolveAfter: 3, resolveLevel: 0.8 };

export interface ExpertRule {
  /** Model name in `models`, without the `expert:` prefix; unique in a rule file. */
  name: string;
  metric: Matcher;
  /** Every listed label must match (a missing label reads as ""). */
  labels?: Readonly<Record<string, Matcher>>;
  /** false: no statistical judgement (thresholds and events still apply). */
  statistical: boolean;
  /** Deviations that can be anomalous; both when absent. */
  directions?: readonly Direction[];
  /** A change smaller than any of these is not anomalous: in the series' unit, a share of the reference, a share of another series. */
  minimumChange?: { absolute?: number; relative?: number; of?: { metric: string; ratio: number } };
  /** Values below this are never anomalous by statistics (an idle-ish CPU is not news). */
  neverBelow?: number;
  /**
   * A steady move in the rule's direction over the last `points` points is anomalous once it is as
   * large as the gates ask, even when a noisy window hides it from the z-score (a leak).
   */
  trend?: { points: number; minSteadyShare: number };
  /** Severity of a statistical anomaly of this metric; by score when absent. */
  severity?: Severity;
  threshold?: Threshold;
  /** A kernel event: every sample opens an EVENT anomaly of this severity, resolved after resolveAfterMs; never judged by statistics. */
  event?: { resolveAfterMs: number; severity: Severity };
  /** The diagnosis its anomalies ask for (see policy.ts); none when absent. */
  scenario?: Scenario;
  lifecycle: LifecycleRule;
}

/** The points of the batch being judged, by series key (counters as rates): what ratios and relative gates read. */
export type BatchValues = ReadonlyMap<string, number>;

export function ruleFor(rules: readonly ExpertRule[], metric: string, labels: Readonly<Record<string, string>>): ExpertRule | undefined {
  return rules.find((rule) => rule.metric.test(metric) && Object.entries(rule.labels ?? {}).every(([label, matcher]) => matcher.test(labels[label] ?? '')));
}

/**
 * ruleFor with the work done once per metric name: the rules whose metric matches a name are found
 * once; when none of them has label matchers, the first is the rule of every series of that name
 * (the common case), else the candidates are tried in order against each series' labels. Keyed by
 * name, not by series, so the cache holds one entry per metric however many pods send it (and
 * starts again past `maxNames`, in case names churn).
 */
export function ruleResolver(rules: readonly ExpertRule[], maxNames = 16_384): (metric: string, labels: Readonly<Record<string, string>>) => ExpertRule | undefined {
  const byName = new Map<string, readonly ExpertRule[]>();
  return (metric, labels) => {
    let candidates = byName.get(metric);
    if (candidates === undefined) {
      if (byName.size >= maxNames) byName.clear();
      const matching = rules.filter((rule) => rule.metric.test(metric));
      // Rules after the first without label matchers can never be reached.
      const first = matching.findIndex((rule) => !hasLabelMatchers(rule));
      candidates = first < 0 ? matching : matching.slice(0, first + 1);
      byName.set(metric, candidates);
    }
    if (candidates.length === 1 && !hasLabelMatchers(candidates[0]!)) return candidates[0];
    return candidates.find((rule) => Object.entries(rule.labels ?? {}).every(([label, matcher]) => matcher.test(labels[label] ?? '')));
  };
}

function hasLabelMatchers(rule: ExpertRule): boolean {
  return rule.labels !== undefined && Object.keys(rule.labels).length > 0;
}

/** Whether a rule needs per-series state: judged, thresholded or an event. */
export function isTracked(rule: ExpertRule): boolean {
  return rule.statistical || rule.threshold !== undefined || rule.event !== undefined;
}

/** Metrics other rules divide by or compare with: counters among them must be tracked for their rates. */
export function partnerMetrics(rules: readonly ExpertRule[]): Set<string> {
  const out = new Set<string>();
  for (const rule of rules) {
    if (rule.threshold?.ratioTo) out.add(rule.threshold.ratioTo);
    if (rule.minimumChange?.of) out.add(rule.minimumChange.of.metric);
  }
  return out;
}

/** The partner series' point in this batch: same labels, another metric. */
export function partnerValue(batch: BatchValues, metric: string, labels: Readonly<Record<string, string>>): number | undefined {
  return batch.get(seriesKey(metric, labels));
}

/** The smallest change the gates let through for this point, with every bar at `level` of its height. */
export function minimumChange(rule: ExpertRule, reference: number, labels: Readonly<Record<string, string>>, batch: BatchValues, level = 1): number {
  const gate = rule.minimumChange;
  if (!gate) return 0;
  const of = gate.of ? (partnerValue(batch, gate.of.metric, labels) ?? 0) * gate.of.ratio : 0;
  return level * Math.max(gate.absolute ?? 0, (gate.relative ?? 0) * Math.abs(reference), of);
}

/** Whether a deviation of value from reference is large enough, in the right direction, to count (bars at `level`). */
export function passesGates(rule: ExpertRule, value: number, reference: number, labels: Readonly<Record<string, string>>, batch: BatchValues, level = 1): boolean {
  const direction: Direction = value < reference ? 'DIP' : 'SPIKE';
  if (rule.directions && !rule.directions.includes(direction)) return false;
  if (rule.neverBelow !== undefined && value < rule.neverBelow * level) return false;
  return Math.abs(value - reference) >= minimumChange(rule, reference, labels, batch, level);
}

export interface ThresholdReading {
  /** Beyond the limit now. */
  crossed: boolean;
  /** Back beyond the clear level (hysteresis): what resolving needs. */
  clear: boolean;
  /** ≥ 1 when crossed: value / limit (above) or limit / value (below), on the ratio when there is one. */
  score: number;
  /** The band the threshold allows, in the series' unit. */
  low: number;
  high: number;
}

/** The threshold on this point; undefined when its ratio cannot be read (partner missing or not positive). */
export function readThreshold(threshold: Threshold, value: number, labels: Readonly<Record<string, string>>, batch: BatchValues): ThresholdReading | undefined {
  let scale = 1;
  if (threshold.ratioTo !== undefined) {
    const partner = partnerValue(batch, threshold.ratioTo, labels);
    if (partner === undefined || !(partner > 0)) return undefined;
    scale = partner;
  }
  const ratio = value / scale;
  if (threshold.above !== undefined) {
    const limit = threshold.above;
    // Above 0 (any OOM kill): 1 + the ratio, so one kill scores 1.07 at a 15 s scrape, not infinity.
    const score = limit > 0 ? ratio / limit : ratio > limit ? 1 + ratio - limit : 0;
    return { crossed: ratio > limit, clear: ratio <= threshold.clear, score, low: Math.min(0, value), high: limit * scale };
  }
  const limit = threshold.below!;
  const score = ratio <= 0 ? Number.MAX_VALUE : limit / ratio;
  return { crossed: ratio < limit, clear: ratio >= threshold.clear, score, low: limit * scale, high: threshold.ratioTo !== undefined ? scale : Math.max(value, limit) };
}
