/**
 * The robust baseline of one series: a fixed-size ring buffer of its latest points and the median /
 * MAD of the last `windowSize` of them. Robust z = (x − median) / (1.4826·MAD): 1.4826·MAD estimates
 * the standard deviation of normal noise while one outlier (or a few) barely moves it.
 */
export interface RobustBaselineOptions {
  /** Points the median and MAD are taken over. */
  windowSize: number;
  /** Fewer points than this: no baseline, the series is not judged on it. */
  minPoints: number;
  /** |z| at or above this is anomalous (Iglewicz & Hoaglin's 3.5 for the modified z-score). */
  threshold: number;
  /** MAD floor as a share of |median|: a flat series (MAD = 0) still has a finite z. */
  madFloorRatio: number;
  /** MAD floor in the series' unit, for a flat series at 0. */
  madFloorAbsolute: number;
}

export const defaultRobustBaselineOptions: RobustBaselineOptions = {
  windowSize: 30,
  minPoints: 10,
  threshold: 3.5,
  madFloorRatio: 0.001,
  madFloorAbsolute: 1e-9,
};

/** 1.4826·MAD is a consistent estimator of σ for normally distributed noise. */
export const madToSigma = 1.4826;

export interface Baseline {
  median: number;
  /** Median absolute deviation, after the floor. */
  mad: number;
  /** Points the baseline was taken over. */
  count: number;
}

/** A fixed-capacity ring of points, each with its time and the stream position it can be rebuilt from. */
export class PointRing {
  private readonly values: Float64Array;
  private readonly positions: Float64Array;
  private readonly timestamps: Float64Array;
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
    this.positions = new Float64Array(capacity);
    this.timestamps = new Float64Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  push(value: number, position: number, timestampMs = 0): void {
    const index = (this.start + this.length) % this.capacity;
    this.values[index] = value;
    this.positions[index] = position;
    this.timestamps[index] = timestampMs;
    if (this.length < this.capacity) this.length++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The last `count` values (or all there are), oldest first. */
  lastValues(count: number): number[] {
    const n = Math.min(count, this.length);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.values[(this.start + this.length - n + i) % this.capacity]!;
    return out;
  }

  /** The last `count` points (or all there are) with their times, oldest first. */
  lastPoints(count: number): { value: number; timestampMs: number }[] {
    const n = Math.min(count, this.length);
    const out = new Array<{ value: number; timestampMs: number }>(n);
    for (let i = 0; i < n; i++) {
      const index = (this.start + this.length - n + i) % this.capacity;
      out[i] = { value: this.values[index]!, timestampMs: this.timestamps[index]! };
    }
    return out;
  }

  newestValue(): number | undefined {
    return this.length === 0 ? undefined : this.values[(this.start + this.length - 1) % this.capacity];
  }

  oldestPosition(): number | undefined {
    return this.length === 0 ? undefined : this.positions[this.start];
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median and floored MAD of `values`; undefined when there are fewer than minPoints. */
export function robustBaseline(values: readonly number[], options: RobustBaselineOptions = defaultRobustBaselineOptions): Baseline | undefined {
  if (values.length < Math.max(1, options.minPoints)) return undefined;
  const center = median(values);
  const mad = median(values.map((value) => Math.abs(value - center)));
  const floor = Math.max(options.madFloorAbsolute, options.madFloorRatio * Math.abs(center));
  return { median: center, mad: Math.max(mad, floor), count: values.length };
}

export function robustZ(value: number, baseline: Baseline): number {
  return (value - baseline.median) / (madToSigma * baseline.mad);
}

/** The band outside of which |z| ≥ threshold: median ± threshold·1.4826·MAD. */
export function expectedBand(baseline: Baseline, threshold: number): { low: number; high: number } {
  const halfWidth = threshold * madToSigma * baseline.mad;
  return { low: baseline.median - halfWidth, high: baseline.median + halfWidth };
}
