/**
 * The contract between one series' stream of points and the detector: push a point, get its
 * verdict. Everything behind it (preprocessing, classification, the models, fusion) is the
 * engine's business; the detector core (lifecycle, expert rules, policy) and `vigil detect`
 * only see this. State is bounded per series (≤ 1 KB) and a point's verdict depends only on the
 * points before it (no look-ahead).
 */
import type { AnomalyKind, SeriesClass } from '../../../src/codec/records.generated.js';

export type { AnomalyKind, SeriesClass };

/** One model's opinion of one point. */
export interface ModelVote {
  /** e.g. robust-zscore, seasonal, trend, level-shift, spectral-residual, jitter. */
  model: string;
  /** 0 = normal, 1 = certainly anomalous. */
  score: number;
}

export interface PointVerdict {
  /** Fused anomaly score in [0, 1]; 0 while the series is still warming up. */
  score: number;
  /** The band the engine expected this point in (same units as the value). */
  expectedLow: number;
  expectedHigh: number;
  /** The shape of the anomaly when score is high: SPIKE, DIP, LEVEL_SHIFT, TREND, FLUCTUATION, HIGH_WATERMARK. */
  kind: AnomalyKind;
  /** Models that scored this point, highest first (only those with score > 0). */
  votes: ModelVote[];
  /** The series' class when this point was judged. */
  seriesClass: SeriesClass;
  /** With a known limit: milliseconds until the trend reaches it, when it will within the horizon. */
  exhaustionInMs?: number;
}

export interface Classification {
  seriesClass: SeriesClass;
  /** The features behind the class, e.g. mann_kendall_z, theil_sen_slope, period_points, acf_at_period, cv, near_limit_share, missing_share. */
  features: Record<string, number>;
}

export interface SeriesScorerOptions {
  /** The capacity this series runs into (memory.max, pids.max, conntrack max, disk size), when known. */
  limit?: number;
  /** Expected spacing of points; irregular spacing and gaps are measured against it. Default: learned from the first points. */
  intervalMs?: number;
}

export interface SeriesScorer {
  /** Judges one point. NaN / ±Infinity values are not points: they return a zero-score verdict and count as missing. */
  push(timestampMs: number, value: number): PointVerdict;
  /** The current class and its features (recomputed as the window slides). */
  classification(): Classification;
  /** Points pushed so far, including skipped ones. */
  readonly points: number;
  /** A copy of the whole state: restoreSeriesScorer(saved) continues exactly where this scorer is. */
  save(): SavedSeriesScorer;
}

/** A scorer's state as plain data, for snapshots: its Float32 and its Float64 slots (state-layout.ts). */
export interface SavedSeriesScorer {
  state: Float32Array;
  wide: Float64Array;
}

export type CreateSeriesScorer = (options?: SeriesScorerOptions) => SeriesScorer;
