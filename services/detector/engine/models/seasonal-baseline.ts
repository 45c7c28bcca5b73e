/**
 * Seasonal baseline: what the series did at this phase one and two periods ago (coarse bucket
 * means, linearly interpolated to the point's place in its bucket), plus a slow local offset
 * (≈ 50 points) so a day that runs a little higher is not anomalous all day. A deviation that
 * persists over a few points scores (the residual is smoothed over ≈ 3 points); one-point spikes
 * are the robust z-score's business. Active only while the class is PERIODIC.
 */
import { excessScore, meanAbsToSigma, updateScale } from '../calibration.js';
import { coarseBack, coarseLength } from '../rings.js';
import { Slot, type SeriesState } from '../state-layout.js';

export const seasonalModel = 'seasonal';
const offsetWeight = 1 / 50;
const scaleWeight = 1 / 300;
const smoothWeight = 0.3;
/** Smoothed residual (σ) from which it scores, and the extra σ at which its score is 0.5. */
export const seasonalOnset = 5;
export const seasonalHalf = 3;

/** Value of the bucket `back` closed buckets before the open one, at fraction f ∈ [0, 1) of it. */
function referenceAt(state: SeriesState, o: number, back: number, fraction: number): number {
  // Bucket means sit at the bucket's middle; interpolate towards the neighbour on the point's side.
  const here = coarseBack(state, o, back - 1);
  if (fraction >= 0.5) return back >= 2 ? here + (fraction - 0.5) * (coarseBack(state, o, back - 2) - here) : here;
  return back < coarseLength(state, o) ? here + (0.5 - fraction) * (coarseBack(state, o, back) - here) : here;
}

/** The seasonal reference for the next point, or NaN when there is no full period behind it. */
export function seasonalReference(state: SeriesState, o: number): number {
  const period = state[o + Slot.periodBuckets]!;
  if (!(period > 0) || coarseLength(state, o) < period) return NaN;
  const fraction = state[o + Slot.bucketCount]! / state[o + Slot.bucketSize]!;
  const one = referenceAt(state, o, period, fraction);
  return coarseLength(state, o) >= 2 * period ? (one + referenceAt(state, o, 2 * period, fraction)) / 2 : one;
}

export function seasonalSigma(state: SeriesState, o: number): number {
  return meanAbsToSigma * state[o + Slot.seasonalScale]!;
}

/** Signed score of value against reference (NaN reference: 0 and nothing learned), then learns it. */
export function seasonalStep(state: SeriesState, o: number, reference: number, value: number, warm: boolean): number {
  if (reference !== reference) {
    state[o + Slot.seasonalScale] = 0;
    return 0;
  }
  const scale = state[o + Slot.seasonalScale]!;
  if (!(scale > 0)) {
    state[o + Slot.seasonalOffset] = value - reference;
    state[o + Slot.seasonalResidual] = 0;
    // Start from the point-to-point noise: a tiny start would take hundreds of clipped steps to grow.
    state[o + Slot.seasonalScale] = Math.max(state[o + Slot.robustLongScale]!, 1e-4 * Math.abs(value) + 1e-9);
    return 0;
  }
  const residual = value - reference - state[o + Slot.seasonalOffset]!;
  const smoothed = state[o + Slot.seasonalResidual]! + smoothWeight * (residual - state[o + Slot.seasonalResidual]!);
  state[o + Slot.seasonalResidual] = smoothed;
  state[o + Slot.seasonalOffset] = state[o + Slot.seasonalOffset]! + offsetWeight * residual;
    if (!warm) {
    state[o + Slot.seasonalScale] = updateScale(scale, Math.abs(smoothed), scaleWeight, 4);
    return 0;
  }
  const z = smoothed / (meanAbsToSigma * scale);
  state[o + Slot.seasonalScale] = updateScale(scale, Math.abs(smoothed), scaleWeight, 4);
  return z >= 0 ? excessScore(z, seasonalOnset, seasonalHalf) : -excessScore(-z, seasonalOnset, seasonalHalf);
}
