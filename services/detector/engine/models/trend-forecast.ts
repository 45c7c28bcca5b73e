/**
 * Trend and forecast to the limit: a least-squares line (ml-matrix QR) through the last 12 coarse
 * bucket means, refitted when a bucket closes. With a known limit (memory.max, pids.max,
 * conntrack max, disk size) it gives the time until the line reaches it and scores:
 *   - exhaustion: 0.5 when the limit is half the classification window (≈ 1.5 days at 5-minute
 *     steps) away, 1 when it is reached now — but only while Mann–Kendall calls the trend real;
 *   - high watermark: 0.5 at 95 % of the limit, 1 at the limit.
 * Without a limit a trend alone is not an anomaly (a sudden change is the other models' job).
 */
import { Matrix, solve } from 'ml-matrix';
import { coarseBack, coarseLength } from '../rings.js';
import { coarseCapacity, Slot, type SeriesState } from '../state-layout.js';

export const trendModel = 'trend';
const fitBuckets = 12;
/** |Mann–Kendall z| from which the trend counts as real. */
export const trendSignificance = 2.5;
const watermarkStart = 0.9;

/** Refits the line through the last ≤ 12 closed buckets (needs 4). */
export function refitTrend(state: SeriesState, o: number): void {
  const n = Math.min(fitBuckets, coarseLength(state, o));
  if (n < 4) return;
  const design = new Matrix(n, 2);
  const target = new Matrix(n, 1);
  for (let i = 0; i < n; i++) {
    design.set(i, 0, 1);
    design.set(i, 1, i);
    target.set(i, 0, coarseBack(state, o, n - 1 - i));
  }
  const fit = solve(design, target);
  const bucketSize = state[o + Slot.bucketSize]!;
  state[o + Slot.trendFitted] = fit.get(0, 0) + fit.get(1, 0) * (n - 1);
  state[o + Slot.trendSlopePerPoint] = fit.get(1, 0) / bucketSize;
  // The newest bucket's mean sits at its middle, half a bucket behind the next point.
  state[o + Slot.trendFitAge] = bucketSize / 2;
}

/** The line's value at the next point (NaN before the first fit). */
export function trendValue(state: SeriesState, o: number): number {
  const age = state[o + Slot.trendFitAge]!;
  return age > 0 ? state[o + Slot.trendFitted]! + state[o + Slot.trendSlopePerPoint]! * age : NaN;
}

export function advanceTrend(state: SeriesState, o: number): void {
  if (state[o + Slot.trendFitAge]! > 0) state[o + Slot.trendFitAge] = state[o + Slot.trendFitAge]! + 1;
}

/** Points until the line reaches limit, or Infinity when it does not rise towards it. */
export function pointsToLimit(state: SeriesState, o: number, limit: number): number {
  const now = trendValue(state, o);
  const slope = state[o + Slot.trendSlopePerPoint]!;
  if (!(slope > 0) || now !== now) return Infinity;
  if (now >= limit) return 0;
  if (Math.abs(state[o + Slot.mannKendallZ]!) < trendSignificance) return Infinity;
  return (limit - now) / slope;
}

/** Horizon in points: the classification window. */
export function trendHorizon(state: SeriesState, o: number): number {
  return coarseCapacity * state[o + Slot.bucketSize]!;
}

export function exhaustionScore(state: SeriesState, o: number, points: number): number {
  const horizon = trendHorizon(state, o);
  return points < horizon ? 1 - points / horizon : 0;
}

export function watermarkScore(value: number, limit: number): number {
  const share = value / limit;
  if (share <= watermarkStart) return 0;
  return share >= 1 ? 1 : (share - watermarkStart) / (1 - watermarkStart);
}
