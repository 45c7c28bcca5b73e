/**
 * The detection engine behind SeriesScorer. Per point: preprocess (missing, stale, gaps), score
 * with the models the series' class calls for, fuse (fusion.ts), learn. The whole state of a
 * series is one Float32Array (state-layout.ts) plus a few fields, ≈ 0.9 KB; the hot path
 * allocates only the verdict (and its votes when a model scores), so verdicts are immutable.
 */
import { calibratedAlarm } from './calibration.js';
import { classificationFeatures, classify, classOf } from './classify.js';
import { classWeights, fuse, modelCount, ModelIndex } from './fusion.js';
import { jitterModel, jitterStep } from './models/jitter.js';
import { levelShiftModel, levelShiftStep, startLevelShift } from './models/level-shift.js';
import { localMedian, robustHalf, robustOnset, robustScore, robustSigma, robustZscoreModel, updateRobust } from './models/robust-zscore.js';
import { seasonalHalf, seasonalModel, seasonalOnset, seasonalReference, seasonalSigma, seasonalStep } from './models/seasonal-baseline.js';
import { spectralRatio, spectralResidualModel, spectralScore } from './models/spectral-residual.js';
import { advanceTrend, exhaustionScore, pointsToLimit, refitTrend, trendModel, watermarkScore } from './models/trend-forecast.js';
import { admit, Admission, type Timeline } from './preprocess.js';
import { coarseCapacity, newSeriesState, Slot, stateSlots, type SeriesState } from './state-layout.js';
import { coarseLength, fineBack, fineLength, pushCoarse, pushFine } from './rings.js';
import type { AnomalyKind, Classification, ModelVote, PointVerdict, SavedSeriesScorer, SeriesScorer, SeriesScorerOptions } from './series-scorer.js';

/** Valid points before any model may score (the noise scales need them to settle). */
export const warmUpPoints = 24;
/** The jitter model compares against a ≈ 200-point mean; it waits longer. */
const jitterWarmUpPoints = 100;
/** The spectral residual is asked only when the robust |z| reaches the robust model's onset. */
const spectralPrescreenZ = robustOnset;
/** Once the window is half full, classify every this many closed buckets. */
const classifyEveryBuckets = 2;
/** The classification window spans about this long (bucket size = window / 48 buckets)… */
const classificationWindowMs = 3 * 24 * 3_600_000;
/** …with at most this many points per bucket, so fast series are still classified often. */
const maxBucketSize = 64;

const modelNames = [robustZscoreModel, seasonalModel, trendModel, levelShiftModel, spectralResidualModel, jitterModel, 'high-watermark'];
const kindOfModel: readonly (AnomalyKind | undefined)[] = [undefined, undefined, 'TREND', 'LEVEL_SHIFT', undefined, 'FLUCTUATION', 'HIGH_WATERMARK'];
const noVotes: ModelVote[] = Object.freeze([]) as unknown as ModelVote[];
const scores = new Float64Array(modelCount);

export function bucketSizeFor(intervalMs: number): number {
  return Math.max(1, Math.min(maxBucketSize, Math.round(classificationWindowMs / intervalMs / coarseCapacity)));
}

class EngineScorer implements SeriesScorer, Timeline {
  points = 0;
  lastTimestampMs = NaN;
  readonly intervalFixed: boolean;
  private readonly state: SeriesState = newSeriesState();
  private readonly limit: number | undefined;

  constructor(options: SeriesScorerOptions, saved?: SavedSeriesScorer) {
    if (saved) {
      this.state.set(saved.state);
      this.points = saved.points;
      this.lastTimestampMs = saved.lastTimestampMs;
      this.intervalFixed = saved.intervalFixed;
      this.limit = saved.limit;
      return;
    }
    this.limit = options.limit !== undefined && options.limit > 0 && Number.isFinite(options.limit) ? options.limit : undefined;
    this.intervalFixed = options.intervalMs !== undefined && options.intervalMs > 0;
    if (this.intervalFixed) {
      this.state[Slot.intervalMs] = options.intervalMs!;
      this.state[Slot.bucketSize] = bucketSizeFor(options.intervalMs!);
    }
  }

  push(timestampMs: number, value: number): PointVerdict {
    this.points++;
    const s = this.state;
    if (admit(s, this, timestampMs, value) !== Admission.Point) return this.quietVerdict();
    if (s[Slot.bucketSize] === 0 && s[Slot.intervalMs]! > 0) s[Slot.bucketSize] = bucketSizeFor(s[Slot.intervalMs]!);

    const count = s[Slot.validPoints]!;
    const warm = count >= warmUpPoints && s[Slot.pointsSinceGap]! > 1;
    const seriesClass = classOf(s);
    const weights = classWeights[seriesClass];
    scores.fill(0);

    let center = value;
    let sigma = 0;
    let z = 0;
    if (fineLength(s) > 0) {
      center = localMedian(s);
      sigma = robustSigma(s, center);
      z = (value - center) / sigma;
      if (warm) scores[ModelIndex.robust] = z < 0 ? -robustScore(z) : robustScore(z);
      scores[ModelIndex.jitter] = jitterStep(s, fineBack(s, 0), value, warm && count >= jitterWarmUpPoints);
      if (warm && (z >= spectralPrescreenZ || z <= -spectralPrescreenZ) && weights[ModelIndex.spectral] > 0) {
        const spectral = spectralScore(spectralRatio(s, value));
        scores[ModelIndex.spectral] = z < 0 ? -spectral : spectral;
      }
      updateRobust(s, value, warm);
      scores[ModelIndex.levelShift] = levelShiftStep(s, value, warm);
    } else {
      startLevelShift(s, value);
    }

    let seasonalExpected = NaN;
    if (s[Slot.periodBuckets]! > 0) {
      const reference = seasonalReference(s);
      seasonalExpected = reference + s[Slot.seasonalOffset]!;
      scores[ModelIndex.seasonal] = seasonalStep(s, reference, value, warm);
    }

    let exhaustionInMs: number | undefined;
    if (this.limit !== undefined) {
      const points = pointsToLimit(s, this.limit);
      if (Number.isFinite(points)) {
        scores[ModelIndex.trend] = exhaustionScore(s, points);
        if (scores[ModelIndex.trend]! > 0 || points === 0) exhaustionInMs = points * s[Slot.intervalMs]!;
      }
      scores[ModelIndex.watermark] = watermarkScore(value, this.limit);
      advanceTrend(s);
    }

    this.learn(value, count);
    return this.verdict(value, center, sigma, seasonalExpected, seriesClass, weights, exhaustionInMs);
  }

  save(): SavedSeriesScorer {
    return { state: this.state.slice(), points: this.points, lastTimestampMs: this.lastTimestampMs, intervalFixed: this.intervalFixed, limit: this.limit };
  }

  classification(): Classification {
    return { seriesClass: classOf(this.state), features: classificationFeatures(this.state) };
  }

  private learn(value: number, count: number): void {
    const s = this.state;
    pushFine(s, value);
    if (count < 1e6) s[Slot.validPoints] = count + 1;
    const bucketSize = s[Slot.bucketSize]!;
    if (bucketSize === 0) return;
    s[Slot.bucketSum] = s[Slot.bucketSum]! + value;
    s[Slot.bucketCount] = s[Slot.bucketCount]! + 1;
    if (s[Slot.bucketCount]! < bucketSize) return;
    pushCoarse(s, s[Slot.bucketSum]! / s[Slot.bucketCount]!);
    s[Slot.bucketSum] = 0;
    s[Slot.bucketCount] = 0;
    if (coarseLength(s) < coarseCapacity / 2 || s[Slot.coarseHead]! % classifyEveryBuckets === 0) classify(s, this.limit);
    if (this.limit !== undefined) refitTrend(s);
  }

  private verdict(
    value: number,
    center: number,
    sigma: number,
    seasonalExpected: number,
    seriesClass: PointVerdict['seriesClass'],
    weights: (typeof classWeights)[keyof typeof classWeights],
    exhaustionInMs: number | undefined,
  ): PointVerdict {
    const score = fuse(scores, weights);
    let top = -1;
    let topWeighted = 0;
    let voters = 0;
    for (let m = 0; m < modelCount; m++) {
      const raw = scores[m]!;
      if (raw === 0) continue;
      voters++;
      const weighted = (raw < 0 ? -raw : raw) * weights[m]!;
      if (weighted > topWeighted) {
        topWeighted = weighted;
        top = m;
      }
    }
    let votes = noVotes;
    if (voters > 0) {
      votes = [];
      for (let m = 0; m < modelCount; m++) if (scores[m] !== 0) votes.push({ model: modelNames[m]!, score: Math.abs(scores[m]!) });
      votes.sort((a, b) => b.score - a.score);
    }
    const signed = top >= 0 ? scores[top]! : value - center;
    const kind: AnomalyKind = (top >= 0 ? kindOfModel[top] : undefined) ?? (signed < 0 ? 'DIP' : 'SPIKE');
    let expectedLow: number;
    let expectedHigh: number;
    if (top === ModelIndex.seasonal) {
      const width = calibratedAlarm(seasonalOnset, seasonalHalf) * seasonalSigma(this.state);
      expectedLow = seasonalExpected - width;
      expectedHigh = seasonalExpected + width;
    } else {
      const width = (robustOnset + robustHalf) * sigma;
      expectedLow = center - width;
      expectedHigh = center + width;
    }
    return { score, expectedLow, expectedHigh, kind, votes, seriesClass, exhaustionInMs };
  }

  /** The verdict on a value that is not a point (missing or stale): nothing scored. */
  private quietVerdict(): PointVerdict {
    const s = this.state;
    let expectedLow = NaN;
    let expectedHigh = NaN;
    if (fineLength(s) > 0) {
      const center = localMedian(s);
      const width = (robustOnset + robustHalf) * robustSigma(s, center);
      expectedLow = center - width;
      expectedHigh = center + width;
    }
    return { score: 0, expectedLow, expectedHigh, kind: 'SPIKE', votes: noVotes, seriesClass: classOf(s), exhaustionInMs: undefined };
  }
}

/** A scorer for one series. Verdicts are plain immutable objects; keep them as long as you like. */
export function createSeriesScorer(options: SeriesScorerOptions = {}): SeriesScorer {
  return new EngineScorer(options);
}

/** A scorer that continues exactly where the saved one was (see SeriesScorer.save). */
export function restoreSeriesScorer(saved: SavedSeriesScorer): SeriesScorer {
  if (saved.state.length !== stateSlots) throw new Error(`a saved scorer has ${saved.state.length} slots, this engine ${stateSlots}`);
  return new EngineScorer({}, saved);
}
