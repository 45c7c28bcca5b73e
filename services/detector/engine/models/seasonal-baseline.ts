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
function referenceAt(state: SeriesState, back: number, fraction: number): number {
  // Bucket means sit at the bucket's middle; interpolate towards the neighbour on the point's side.
  const here = coarseBack(state, back - 1);
  if (fraction >= 0.5) return back >= 2 ? here + (fraction - 0.5) * (coarseBack(state, back - 2) - here) : here;
  return back < coarseLength(state) ? here + (0.5 - fraction) * (coarseBack(state, back) - here) : here;
}

/** The seasonal reference for the next point, or NaN when there is no full period behind it. */
export function seasonalReference(state: SeriesState): number {
  const period = state[Slot.periodBuckets]!;
  if (!(period > 0) || coarseLength(state) < period) return NaN;
  const fraction = state[Slot.bucketCount]! / state[Slot.bucketSize]!;
  const one = referenceAt(state, period, fraction);
  return coarseLength(state) >= 2 * period ? (one + referenceAt(state, 2 * period, fraction)) / 2 : one;
}

export function seasonalSigma(state: SeriesState): number {
  return meanAbsToSigma * state[Slot.seasonalScale]!;
}

/** Signed score of value against reference (NaN reference: 0 and nothing learned), then learns it. */
export function seasonalStep(state: SeriesState, reference: number, value: number, warm: boolean): number {
  if (reference !== reference) {
    state[Slot.seasonalScale] = 0;
    return 0;
  }
  const scale = state[Slot.seasonalScale]!;
  if (!(scale > 0)) {
    state[Slot.seasonalOffset] = value - reference;
    state[Slot.seasonalResidual] = 0;
    // Start from the point-to-point noise: a tiny start would take hundreds of clipped steps to grow.
    state[Slot.seasonalScale] = Math.max(state[Slot.robustLongScale]!, 1e-4 * Math.abs(value) + 1e-9);
    return 0;
  }
  const residual = value - reference - state[Slot.seasonalOffset]!;
  const smoothed = state[Slot.seasonalResidual]! + smoothWeight * (residual - state[Slot.seasonalResidual]!);
  state[Slot.seasonalResidual] = smoothed;
  state[Slot.seasonalOffset] = state[Slot.seasonalOffset]! + offsetWeight * residual;
    if (!warm) {
    state[Slot.seasonalScale] = updateScale(scale, Math.abs(smoothed), scaleWeight, 4);
    return 0;
  }
  const z = smoothed / (meanAbsToSigma * scale);
  state[Slot.seasonalScale] = updateScale(scale, Math.abs(smoothed), scaleWeight, 4);
  return z >= 0 ? excessScore(z, seasonalOnset, seasonalHalf) : -excessScore(-z, seasonalOnset, seasonalHalf);
}
