/**
 * The class of a series over its classification window (the coarse ring: 48 bucket means,
 * ≈ 3 days), recomputed every other closed bucket (every bucket while the window fills), not on
 * every point: Theil–Sen's pairwise slopes are the engine's biggest cost. Features:
 * - Mann–Kendall z and Theil–Sen slope (trend and its significance);
 * - dominant period by autocorrelation of the Theil–Sen-detrended bucket means, and its ACF;
 * - coefficient of variation of the bucket means, fine-scale noise relative to the level;
 * - share of buckets near the limit (or, without one, pinned near the window's own maximum);
 * - shares of missing points and of zeros.
 * First match wins: SPARSE, HIGH_WATERMARK, PERIODIC, TRENDING, FLUCTUATING, STABLE.
 */
import type { SeriesClass } from '../../../src/codec/records.generated.js';
import { meanAbsToSigma } from './calibration.js';
import { coarseInto } from './rings.js';
import { coarseCapacity, Slot, type SeriesState } from './state-layout.js';

export const seriesClasses: readonly SeriesClass[] = ['STABLE', 'TRENDING', 'PERIODIC', 'FLUCTUATING', 'HIGH_WATERMARK', 'SPARSE'];

export const classifyThresholds = {
  /** Fewer buckets: only SPARSE or STABLE. */
  minBuckets: 8,
  sparseMissingShare: 0.3,
  sparseZeroShare: 0.6,
  highWatermarkShare: 0.6,
  /** Bucket mean at or above this share of the limit counts as near it. */
  nearLimitRatio: 0.9,
  /** Without a limit: within this share of the window's range below its maximum… */
  nearMaxRangeShare: 0.02,
  /** …when the range is at least this share of |max| (a flat series is not pinned). */
  pinnedMinRange: 0.1,
  periodicAcf: 0.5,
  trendingMannKendallZ: 3.5,
  fluctuatingCv: 0.5,
  fluctuatingNoiseRatio: 0.25,
};

const values = new Float64Array(coarseCapacity);
const slopes = new Float64Array((coarseCapacity * (coarseCapacity - 1)) / 2);

/** k-th smallest of a[0..n) (Hoare's selection; reorders a). */
export function select(a: Float64Array, n: number, k: number): number {
  let left = 0;
  let right = n - 1;
  while (right > left) {
    const pivot = a[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

export function mannKendallZ(y: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n - 1; i++) for (let j = i + 1; j < n; j++) s += y[j]! > y[i]! ? 1 : y[j]! < y[i]! ? -1 : 0;
  const variance = (n * (n - 1) * (2 * n + 5)) / 18;
  return s === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(variance);
}

export function theilSenSlope(y: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n - 1; i++) for (let j = i + 1; j < n; j++) slopes[m++] = (y[j]! - y[i]!) / (j - i);
  if (m === 0) return 0;
  const upper = select(slopes, m, m >> 1);
  if (m % 2 === 1) return upper;
  let lower = -Infinity;
  for (let i = 0; i < m >> 1; i++) if (slopes[i]! > lower) lower = slopes[i]!;
  return (lower + upper) / 2;
}

function autocorrelation(y: Float64Array, n: number, mean: number, variance: number, lag: number): number {
  let sum = 0;
  for (let i = 0; i + lag < n; i++) sum += (y[i]! - mean) * (y[i + lag]! - mean);
  return sum / (n - lag) / variance;
}

/** Lag in [2, n/2] with the highest local-maximum autocorrelation of y (already detrended), and that ACF. */
export function dominantPeriod(y: Float64Array, n: number): { lag: number; acf: number } {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (y[i]! - mean) ** 2;
  variance /= n;
  let best = { lag: 0, acf: 0 };
  if (!(variance > 0)) return best;
  const maxLag = n >> 1;
  let previous = autocorrelation(y, n, mean, variance, 1);
  let current = autocorrelation(y, n, mean, variance, 2);
  for (let lag = 2; lag <= maxLag; lag++) {
    const next = lag + 1 < n ? autocorrelation(y, n, mean, variance, lag + 1) : -Infinity;
    if (current >= previous && current >= next && current > best.acf) best = { lag, acf: current };
    previous = current;
    current = next;
  }
  // A period's multiples correlate as well as the period does: take the shortest lag that is a
  // local maximum within 10 % of the best.
  for (let lag = 2; lag < best.lag; lag++) {
    const acf = autocorrelation(y, n, mean, variance, lag);
    if (acf < 0.9 * best.acf) continue;
    if (acf >= autocorrelation(y, n, mean, variance, lag - 1) && acf >= autocorrelation(y, n, mean, variance, lag + 1)) return { lag, acf };
  }
  return best;
}

/** Recomputes the features and the class from the coarse ring into the state. */
export function classify(state: SeriesState, o: number, limit: number | undefined): void {
  const t = classifyThresholds;
  const missing = state[o + Slot.missingShare]!;
  const zeros = state[o + Slot.zeroShare]!;
  const n = coarseInto(state, o, values);
  let seriesClass: SeriesClass = 'STABLE';
  if (missing > t.sparseMissingShare || zeros > t.sparseZeroShare) seriesClass = 'SPARSE';
  if (n < t.minBuckets) {
    state[o + Slot.seriesClass] = seriesClasses.indexOf(seriesClass);
    return;
  }
  const bucketSize = state[o + Slot.bucketSize]!;
  let mean = 0;
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    mean += v;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i]! - mean) ** 2;
  const std = Math.sqrt(variance / Math.max(1, n - 1));
  const absMean = Math.abs(mean);
  const cv = absMean > 0 ? std / absMean : std > 0 ? Infinity : 0;
  const noiseRatio = absMean > 0 ? (meanAbsToSigma * state[o + Slot.robustLongScale]!) / absMean : 0;

  let near = 0;
  if (limit !== undefined && limit > 0) {
    for (let i = 0; i < n; i++) if (values[i]! >= t.nearLimitRatio * limit) near++;
  } else if (max - min >= t.pinnedMinRange * Math.abs(max) && max > min) {
    const edge = max - t.nearMaxRangeShare * (max - min);
    for (let i = 0; i < n; i++) if (values[i]! >= edge) near++;
  }
  const nearShare = near / n;

  const z = mannKendallZ(values, n);
  const slope = theilSenSlope(values, n);
  for (let i = 0; i < n; i++) values[i] = values[i]! - slope * i;
  const period = dominantPeriod(values, n);

  state[o + Slot.mannKendallZ] = z;
  state[o + Slot.theilSenSlopePerPoint] = slope / bucketSize;
  state[o + Slot.coefficientOfVariation] = Math.min(cv, 1e30);
  state[o + Slot.noiseRatio] = noiseRatio;
  state[o + Slot.nearLimitShare] = nearShare;
  state[o + Slot.acfAtPeriod] = period.acf;
  state[o + Slot.periodPoints] = period.lag * bucketSize;

  if (seriesClass !== 'SPARSE') {
    if (nearShare >= t.highWatermarkShare) seriesClass = 'HIGH_WATERMARK';
    else if (period.lag > 0 && period.acf >= t.periodicAcf) seriesClass = 'PERIODIC';
    else if (Math.abs(z) >= t.trendingMannKendallZ) seriesClass = 'TRENDING';
    else if (cv >= t.fluctuatingCv || noiseRatio >= t.fluctuatingNoiseRatio) seriesClass = 'FLUCTUATING';
  }
  state[o + Slot.periodBuckets] = seriesClass === 'PERIODIC' ? period.lag : 0;
  state[o + Slot.seriesClass] = seriesClasses.indexOf(seriesClass);
}

export function classOf(state: SeriesState, o: number): SeriesClass {
  return seriesClasses[state[o + Slot.seriesClass]!] ?? 'STABLE';
}

/** The features behind the current class, named as series.classified publishes them. */
export function classificationFeatures(state: SeriesState, o: number): Record<string, number> {
  return {
    mann_kendall_z: state[o + Slot.mannKendallZ]!,
    theil_sen_slope: state[o + Slot.theilSenSlopePerPoint]!,
    period_points: state[o + Slot.periodPoints]!,
    acf_at_period: state[o + Slot.acfAtPeriod]!,
    cv: state[o + Slot.coefficientOfVariation]!,
    noise_ratio: state[o + Slot.noiseRatio]!,
    near_limit_share: state[o + Slot.nearLimitShare]!,
    missing_share: state[o + Slot.missingShare]!,
    zero_share: state[o + Slot.zeroShare]!,
  };
}
