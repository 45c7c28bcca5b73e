/**
 * Where each part of one series' state lives. A typed array costs about 190 bytes of bookkeeping,
 * an object with boxed double fields ~100, so the engine state of a series is `stateSlots` Float32
 * slots starting at an offset o of a Float32Array that many series share (engine-pool.ts), plus
 * `wideSlots` Float64 slots for what needs more than Float32's ~7 significant digits (times,
 * counts, the limit). The models are stateless code over the slots: `state[o + Slot.x]`. Float32
 * is plenty for levels, scales and sums that only ever feed a score.
 */

/** Scalar slots. */
export const Slot = {
  /** Expected spacing of points (ms), learned or given. */
  intervalMs: 0,
  /** Valid points seen (saturates; only compared against small warm-up counts). */
  validPoints: 1,
  /** EW share of missing points (NaN, ±Inf, gaps) and of zeros. */
  missingShare: 2,
  zeroShare: 3,
  /** Points per coarse bucket, the running sum and count of the open bucket. */
  bucketSize: 4,
  bucketSum: 5,
  bucketCount: 6,
  /** Ring heads and lengths. */
  fineHead: 7,
  fineLength: 8,
  coarseHead: 9,
  coarseLength: 10,
  /** Robust z-score: short (≈ 30 points) and long (≈ 300 points) EW mean absolute deviation from the local median. */
  robustShortScale: 11,
  robustLongScale: 12,
  /** Jitter: short and long EW mean |Δ|. */
  jitterShort: 13,
  jitterLong: 14,
  /** Level shift: slow level, two-sided CUSUM sums, residual scale. */
  shiftLevel: 15,
  shiftUp: 16,
  shiftDown: 17,
  shiftScale: 18,
  /** Seasonal baseline: local offset from the seasonal reference, residual scale, short EW residual. */
  seasonalOffset: 19,
  seasonalScale: 20,
  seasonalResidual: 21,
  /** Trend: fitted value at the newest closed bucket, slope per point, fit age in points. */
  trendFitted: 22,
  trendSlopePerPoint: 23,
  trendFitAge: 24,
  /** Classification and its features. */
  seriesClass: 25,
  mannKendallZ: 26,
  theilSenSlopePerPoint: 27,
  periodPoints: 28,
  acfAtPeriod: 29,
  coefficientOfVariation: 30,
  nearLimitShare: 31,
  noiseRatio: 32,
  /** Points since the last pushed valid point was a gap (damps step-based models after a gap). */
  pointsSinceGap: 33,
  /** Seasonal period in coarse buckets (0 = none). */
  periodBuckets: 34,
  /** Level shift: Holt's slope per point. */
  shiftSlope: 35,
  /** 1 when the expected spacing was given (never relearned), else 0. */
  intervalFixed: 36,
} as const;

export const scalarSlots = 37;
/** Latest raw points, for the local median and the spectral residual window. */
export const fineCapacity = 32;
/** Bucket means over the classification window (≈ 3 days), also the seasonal reference. */
export const coarseCapacity = 48;
export const fineOffset = scalarSlots;
export const coarseOffset = fineOffset + fineCapacity;
export const stateSlots = coarseOffset + coarseCapacity;

export type SeriesState = Float32Array;

/** Float64 slots of a series. */
export const Wide = {
  /** Timestamp of the last admitted point (NaN before the first). */
  lastTimestampMs: 0,
  /** Points pushed, including skipped ones. */
  points: 1,
  /** The capacity the series runs into (NaN: none known). */
  limit: 2,
} as const;

export const wideSlots = 3;

export function newSeriesState(): SeriesState {
  return new Float32Array(stateSlots);
}
