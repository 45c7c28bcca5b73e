/**
 * Fusion of the models' scores into one. Each model's score is calibrated the same way (0.5 at its
 * alarm level, see calibration.ts); the class says how far each model's assumptions hold, as a
 * weight w ∈ [0, 1]; the fused score is the noisy-OR of the weighted scores:
 *
 *   score = 1 − Π_m (1 − w_class,m · s_m)
 *
 * One model at its alarm level with full weight gives 0.5; two independent models agreeing push
 * it higher; a model the class distrusts counts less. The kind is that of the model with the
 * largest weighted score.
 */
import type { SeriesClass } from '../../../src/codec/records.generated.js';

export const ModelIndex = { robust: 0, seasonal: 1, trend: 2, levelShift: 3, spectral: 4, jitter: 5, watermark: 6 } as const;
export const modelCount = 7;

type Weights = readonly [robust: number, seasonal: number, trend: number, levelShift: number, spectral: number, jitter: number, watermark: number];

export const classWeights: Record<SeriesClass, Weights> = {
  STABLE: [1, 0, 1, 1, 0.8, 0.8, 1],
  TRENDING: [1, 0, 1, 0.6, 0.8, 0.6, 1],
  PERIODIC: [1, 0.8, 1, 0.6, 0.6, 0.6, 1],
  FLUCTUATING: [0.8, 0, 1, 0.8, 0.6, 0.5, 1],
  HIGH_WATERMARK: [0.9, 0, 1, 0.8, 0.6, 0.5, 1],
  SPARSE: [0.7, 0, 1, 0.6, 0.4, 0.3, 1],
};

/** Weighted noisy-OR of scores (absolute values) under the class' weights. */
export function fuse(scores: Float64Array, weights: Weights): number {
  let keep = 1;
  for (let m = 0; m < modelCount; m++) {
    const s = scores[m]! < 0 ? -scores[m]! : scores[m]!;
    if (s > 0) keep *= 1 - weights[m]! * s;
  }
  return 1 - keep;
}
