/**
 * Robust z-score: distance of a point from the median of the 3 points before it, in units of the
 * series' recent noise. The noise is a streaming MAD: an EW mean absolute deviation from that
 * local median over ≈ 30 points (so it follows the time of day), floored by a quarter of the
 * ≈ 300-point one (so a short flat stretch does not make every step an outlier), both clipped at
 * 5× so outliers barely move them. A median of 3 keeps one earlier outlier from making its
 * successor look anomalous too.
 */
import { excessScore, meanAbsToSigma, updateScale } from '../calibration.js';
import { fineBack, fineLength } from '../rings.js';
import { Slot, type SeriesState } from '../state-layout.js';

export const robustZscoreModel = 'robust-zscore';
/** z (in σ) from which the model scores, and the extra z at which its score is 0.5. */
export const robustOnset = 3;
export const robustHalf = 2;
const shortWeight = 1 / 30;
const longWeight = 1 / 300;

/** Median of the last 3 points (fewer early on). Requires at least one point. */
export function localMedian(state: SeriesState): number {
  const n = fineLength(state);
  const a = fineBack(state, 0);
  if (n < 3) return n < 2 ? a : (a + fineBack(state, 1)) / 2;
  const b = fineBack(state, 1);
  const c = fineBack(state, 2);
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

/** The noise σ the z-score divides by, with a floor for series that never move. */
export function robustSigma(state: SeriesState, center: number): number {
  const short = state[Slot.robustShortScale]!;
  const long = 0.25 * state[Slot.robustLongScale]!;
  const floor = 1e-4 * Math.abs(center) + 1e-9;
  const scale = short > long ? short : long;
  return meanAbsToSigma * (scale > floor ? scale : floor);
}

/** Signed z of value against the state before it (needs ≥ 1 earlier point). */
export function robustZ(state: SeriesState, value: number): number {
  const center = localMedian(state);
  return (value - center) / robustSigma(state, center);
}

export function robustScore(z: number): number {
  return excessScore(z < 0 ? -z : z, robustOnset, robustHalf);
}

/** Learns from value (call after scoring it, before it enters the fine ring). */
export function updateRobust(state: SeriesState, value: number, warm: boolean): void {
  if (fineLength(state) === 0) return;
  const residual = Math.abs(value - localMedian(state));
  state[Slot.robustShortScale] = updateScale(state[Slot.robustShortScale]!, residual, shortWeight, 5, warm);
  state[Slot.robustLongScale] = updateScale(state[Slot.robustLongScale]!, residual, longWeight, 5, warm);
}
