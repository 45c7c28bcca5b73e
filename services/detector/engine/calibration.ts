/**
 * One calibration for every model: a model measures how far a point is from what it expected in
 * units of that model's own noise (a z-like statistic), and its score is
 *
 *   score(z) = e / (e + half),  e = max(0, z − onset)
 *
 * so it is 0 up to `onset`, 0.5 at `onset + half` (the model's alarm level) and tends to 1. Every
 * model's alarm level sits where normal data almost never goes, so 0.5 means the same thing for
 * every model and a fused score ≥ 0.5 reads as "anomalous".
 */
export function excessScore(z: number, onset: number, half: number): number {
  const excess = z - onset;
  return excess > 0 ? excess / (excess + half) : 0;
}

/** Mean absolute deviation → standard deviation for normal noise. */
export const meanAbsToSigma = 1.2533;

/**
 * EW update of a scale from |residual|, clipped at `clip` × the scale so one outlier barely moves
 * it. While the series warms up, a plain fast average instead: a clipped scale that starts tiny
 * would take hundreds of points to grow, and alarm on everything meanwhile.
 */
export function updateScale(scale: number, absResidual: number, weight: number, clip: number, warm = true): number {
  if (!(scale > 0)) return absResidual;
  if (!warm) return scale + (weight > 0.1 ? weight : 0.1) * (absResidual - scale);
  const clipped = absResidual < clip * scale ? absResidual : clip * scale;
  return scale + weight * (clipped - scale);
}

/** The z at which excessScore is 0.5: a model's alarm level. */
export function calibratedAlarm(onset: number, half: number): number {
  return onset + half;
}
