/**
 * Spectral residual (Ren et al., "Time-Series Anomaly Detection Service at Microsoft", KDD 2019)
 * on a short window: the log-amplitude spectrum minus its local average is the "surprising" part
 * of the spectrum; back in the time domain it is a saliency map that peaks at points that break
 * the window's pattern. The newest point is not left at the window's edge: as in the paper, the
 * window is extended by points extrapolated along the average gradient (of the points before it). Score from the saliency
 * ratio (S − mean S) / mean S, whose paper threshold is 3.
 *
 * It costs two 32-point FFTs, so the engine asks it only for a second opinion when the cheap
 * robust z-score already sees something (|z| ≥ 2).
 */
import { excessScore } from '../calibration.js';
import { fft } from '../fft.js';
import { fineBack, fineLength } from '../rings.js';
import type { SeriesState } from '../state-layout.js';

export const spectralResidualModel = 'spectral-residual';
const windowPoints = 32;
/** Points extrapolated after the newest one. */
const extension = 5;
/** Real points in the window: the newest and the ones before it. */
export const spectralHistory = windowPoints - extension - 1;
const onset = 3;
const half = 3;

const re = new Float64Array(windowPoints);
const im = new Float64Array(windowPoints);
const logAmplitude = new Float64Array(windowPoints);

/** Saliency ratio of value against the last `spectralHistory` points of the fine ring. */
export function spectralRatio(state: SeriesState, o: number, value: number): number {
  if (fineLength(state, o) < spectralHistory) return 0;
  const newest = spectralHistory;
  for (let i = 0; i < spectralHistory; i++) re[i] = fineBack(state, o, spectralHistory - 1 - i);
  re[newest] = value;
  // The paper extrapolates from the newest point, which turns a spike at the edge into a plateau
  // and hides it; extrapolate the points before it instead, so the newest stands against them.
  const before = newest - 1;
  let gradient = 0;
  for (let m = 1; m <= extension; m++) gradient += (re[before]! - re[before - m]!) / m;
  gradient /= extension;
  for (let i = newest + 1; i < windowPoints; i++) re[i] = re[before]! + gradient * (i - before);
  im.fill(0);
  fft(re, im, windowPoints, false);
  for (let i = 0; i < windowPoints; i++) logAmplitude[i] = Math.log(Math.hypot(re[i]!, im[i]!) + 1e-12);
  // Average of the log amplitude over 3 neighbouring frequencies (the paper's q = 3).
  for (let i = 0; i < windowPoints; i++) {
    let sum = 0;
    let count = 0;
    for (let j = i - 1; j <= i + 1; j++) {
      if (j < 0 || j >= windowPoints) continue;
      sum += logAmplitude[j]!;
      count++;
    }
    const residual = logAmplitude[i]! - sum / count;
    const amplitude = Math.hypot(re[i]!, im[i]!) + 1e-12;
    // exp(residual + i·phase) = exp(residual) · (re, im) / |(re, im)|
    const factor = Math.exp(residual) / amplitude;
    re[i] = re[i]! * factor;
    im[i] = im[i]! * factor;
  }
  fft(re, im, windowPoints, true);
  let mean = 0;
  for (let i = 0; i <= newest; i++) mean += Math.hypot(re[i]!, im[i]!);
  mean /= newest + 1;
  const saliency = Math.hypot(re[newest]!, im[newest]!);
  return mean > 0 ? (saliency - mean) / mean : 0;
}

export function spectralScore(ratio: number): number {
  return excessScore(ratio, onset, half);
}
