/**
 * The plain baseline the engine has to beat: the modified z-score of Iglewicz & Hoaglin against the
 * median and MAD of the previous 30 points, z = (x − median) / (1.4826·MAD), scored
 * min(1, |z| / 7) so that their conventional |z| = 3.5 cut is the score 0.5. Nothing else: no
 * seasonality, no trend, no warm-up tricks. Streams like a SeriesScorer: a point's score uses only
 * the points before it.
 */

export const baselineWindowPoints = 30;
/** Iglewicz & Hoaglin's cut for the modified z-score. */
export const baselineZThreshold = 3.5;
/** 1.4826·MAD estimates σ for normal noise. */
const madToSigma = 1.4826;
/** When MAD is 0 (over half the window equal), the mean absolute deviation × √(π/2) estimates σ instead (the usual fallback). */
const meanAbsoluteDeviationToSigma = 1.2533;

export interface RobustZBaseline {
  push(timestampMs: number, value: number): { score: number; z: number };
}

export function createRobustZBaseline(windowPoints = baselineWindowPoints): RobustZBaseline {
  const window = new Float64Array(windowPoints);
  const sorted = new Float64Array(windowPoints);
  const deviations = new Float64Array(windowPoints);
  let count = 0;
  let next = 0;
  return {
    push(_timestampMs, value) {
      if (!Number.isFinite(value)) return { score: 0, z: 0 };
      let z = 0;
      if (count === windowPoints) {
        sorted.set(window);
        sorted.sort();
        const median = medianOfSorted(sorted);
        for (let i = 0; i < windowPoints; i++) deviations[i] = Math.abs(window[i]! - median);
        let sigma = madToSigma * medianOfSorted(deviations.sort());
        if (sigma === 0) sigma = (meanAbsoluteDeviationToSigma * deviations.reduce((sum, d) => sum + d, 0)) / windowPoints;
        const distance = value - median;
        z = distance === 0 ? 0 : sigma === 0 ? Math.sign(distance) * Infinity : distance / sigma;
      }
      window[next] = value;
      next = (next + 1) % windowPoints;
      count = Math.min(windowPoints, count + 1);
      return { score: Math.min(1, Math.abs(z) / (2 * baselineZThreshold)), z };
    },
  };
}

function medianOfSorted(values: Float64Array): number {
  const middle = values.length >> 1;
  return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
}
