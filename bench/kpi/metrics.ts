/**
 * Scoring a detector against labeled points: precision / recall / F1 per point, the same after the
 * point-adjustment of Xu et al. (WWW 2018, the Donut paper: a labeled segment counts as wholly
 * detected when any point in it is flagged), detection delay per segment, and the threshold that
 * maximises F1 (an upper bound: it is chosen with the labels). Pure: arrays in, numbers out.
 */

/** A run of consecutive anomalous points: indices `start` (inclusive) to `end` (exclusive). */
export interface Segment {
  start: number;
  end: number;
}

export interface Counts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export interface Quality {
  /** 0 when nothing is flagged. */
  precision: number;
  /** 0 when nothing is labeled. */
  recall: number;
  f1: number;
}

/** Labeled anomalous segments: maximal runs of truthy labels. */
export function segmentsOf(labels: ArrayLike<boolean>): Segment[] {
  const segments: Segment[] = [];
  let start = -1;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] && start < 0) start = i;
    if (!labels[i] && start >= 0) {
      segments.push({ start, end: i });
      start = -1;
    }
  }
  if (start >= 0) segments.push({ start, end: labels.length });
  return segments;
}

/** Flags after point-adjustment: every point of a labeled segment is flagged if any of them is. Flags outside segments are unchanged. */
export function pointAdjust(flags: ArrayLike<boolean>, labels: ArrayLike<boolean>): boolean[] {
  const adjusted = Array.from(flags, Boolean);
  for (const { start, end } of segmentsOf(labels)) {
    let detected = false;
    for (let i = start; i < end && !detected; i++) detected = adjusted[i]!;
    if (detected) adjusted.fill(true, start, end);
  }
  return adjusted;
}

export function countsOf(flags: ArrayLike<boolean>, labels: ArrayLike<boolean>): Counts {
  if (flags.length !== labels.length) throw new Error(`${flags.length} flags for ${labels.length} labels`);
  const counts: Counts = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] && labels[i]) counts.truePositives++;
    else if (flags[i]) counts.falsePositives++;
    else if (labels[i]) counts.falseNegatives++;
  }
  return counts;
}

export function qualityOf({ truePositives, falsePositives, falseNegatives }: Counts): Quality {
  const flagged = truePositives + falsePositives;
  const labeled = truePositives + falseNegatives;
  const precision = flagged === 0 ? 0 : truePositives / flagged;
  const recall = labeled === 0 ? 0 : truePositives / labeled;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** For each labeled segment, points from its start to its first flag (0 = flagged at its first point); undefined when no point of it is flagged. */
export function detectionDelays(flags: ArrayLike<boolean>, labels: ArrayLike<boolean>): (number | undefined)[] {
  return segmentsOf(labels).map(({ start, end }) => {
    for (let i = start; i < end; i++) if (flags[i]) return i - start;
    return undefined;
  });
}

export interface DelaySummary {
  segments: number;
  detected: number;
  /** Over detected segments; undefined when none is. */
  medianPoints: number | undefined;
  meanPoints: number | undefined;
  /** Share of all segments flagged within their first k points (delay < k), for each k asked. */
  withinFirst: Record<number, number>;
}

export function summariseDelays(delays: (number | undefined)[], within: number[] = [1, 3, 7]): DelaySummary {
  const detected = delays.filter((delay): delay is number => delay !== undefined).sort((a, b) => a - b);
  const middle = detected.length >> 1;
  const medianPoints = detected.length === 0 ? undefined : detected.length % 2 === 1 ? detected[middle]! : (detected[middle - 1]! + detected[middle]!) / 2;
  const meanPoints = detected.length === 0 ? undefined : detected.reduce((sum, delay) => sum + delay, 0) / detected.length;
  const withinFirst: Record<number, number> = {};
  for (const k of within) withinFirst[k] = delays.length === 0 ? 0 : detected.filter((delay) => delay < k).length / delays.length;
  return { segments: delays.length, detected: detected.length, medianPoints, meanPoints, withinFirst };
}

/** Flags of `score >= threshold`. */
export function flagsAt(scores: ArrayLike<number>, threshold: number): boolean[] {
  return Array.from(scores, (score) => score >= threshold);
}

export interface Evaluation {
  threshold: number;
  point: Quality;
  adjusted: Quality;
  delay: DelaySummary;
}

export function evaluateAt(scores: ArrayLike<number>, labels: ArrayLike<boolean>, threshold: number): Evaluation {
  const flags = flagsAt(scores, threshold);
  return {
    threshold,
    point: qualityOf(countsOf(flags, labels)),
    adjusted: qualityOf(countsOf(pointAdjust(flags, labels), labels)),
    delay: summariseDelays(detectionDelays(flags, labels)),
  };
}

/**
 * The threshold (one of the scores) with the highest F1, per point or point-adjusted; ties go to the
 * higher threshold. One sort and one sweep: O(n log n).
 */
export function bestF1Threshold(scores: ArrayLike<number>, labels: ArrayLike<boolean>, mode: 'point' | 'adjusted'): { threshold: number; f1: number } {
  const n = scores.length;
  const labeledTotal = Array.prototype.filter.call(labels, Boolean).length;
  // Point mode: every point is its own unit. Adjusted: a segment is one unit of `length` points, raised by its highest score.
  const units: { score: number; positives: number; negatives: number }[] = [];
  const segmentOf = new Int32Array(n).fill(-1);
  if (mode === 'adjusted') {
    segmentsOf(labels).forEach(({ start, end }, index) => {
      let highest = -Infinity;
      for (let i = start; i < end; i++) {
        segmentOf[i] = index;
        highest = Math.max(highest, scores[i]!);
      }
      units.push({ score: highest, positives: end - start, negatives: 0 });
    });
  }
  for (let i = 0; i < n; i++) {
    if (segmentOf[i]! >= 0) continue;
    units.push({ score: scores[i]!, positives: labels[i] ? 1 : 0, negatives: labels[i] ? 0 : 1 });
  }
  units.sort((a, b) => b.score - a.score);
  let best = { threshold: units[0]?.score ?? 1, f1: 0 };
  let truePositives = 0;
  let falsePositives = 0;
  for (let i = 0; i < units.length; i++) {
    truePositives += units[i]!.positives;
    falsePositives += units[i]!.negatives;
    if (i + 1 < units.length && units[i + 1]!.score === units[i]!.score) continue;
    const { f1 } = qualityOf({ truePositives, falsePositives, falseNegatives: labeledTotal - truePositives });
    if (f1 > best.f1) best = { threshold: units[i]!.score, f1 };
  }
  return best;
}
