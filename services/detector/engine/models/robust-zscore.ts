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
export function localMedian(state: SeriesState, o: number): number {
  const n = fineLength(state, o);
  const a = fineBack(state, o, 0);
  if (n < 3) return n < 2 ? a : (a + fineBack(state, o, 1)) / 2;
  const b = fineBack(state, o, 1);
  const c = fineBack(state, o, 2);
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

/** The noise σ the z-score divides by, with a floor for series that never move. */
export function robustSigma(state: SeriesState, o: number, center: number): number {
  const short = state[o + Slot.robustShortScale]!;
  const long = 0.25 * state[o + Slot.robustLongScale]!;
  const floor = 1e-4 * Math.abs(center) + 1e-9;
  const scale = short > long ? short : long;
  return meanAbsToSigma * (scale > floor ? scale : floor);
}

/** Signed z of value against the state before it (needs ≥ 1 earlier point). */
export function robustZ(state: SeriesState, o: number, value: number): number {
  const center = localMedian(state, o);
  return (value - center) / robustSigma(state, o, center);
}

export function robustScore(z: number): number {
  return excessScore(z < 0 ? -z : z, robustOnset, robustHalf);
}

/** Learns from value (call after scoring it, before it enters the fine ring). */
export function updateRobust(state: SeriesState, o: number, value: number, warm: boolean): void {
  if (fineLength(state, o) === 0) return;
  const residual = Math.abs(value - localMedian(state, o));
  state[o + Slot.robustShortScale] = updateScale(state[o + Slot.robustShortScale]!, residual, shortWeight, 5, warm);
  state[o + Slot.robustLongScale] = updateScale(state[o + Slot.robustLongScale]!, residual, longWeight, 5, warm);
}
