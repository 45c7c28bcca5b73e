/**
 * The detection engine for many series at once. Per point: preprocess (missing, stale, gaps),
 * score with the models the series' class calls for, fuse (fusion.ts), learn. A series' engine is
 * a number: its state is `stateSlots` Float32 slots and `wideSlots` Float64 slots inside blocks of
 * 32 engines (one ArrayBuffer per block), so a live series costs its ≈ 0.5 KB of slots and nothing
 * around them (a typed array and an object of its own would add ≈ 250 bytes). Released engines
 * are reused. The hot path allocates only the verdict (and its votes when a model scores), so
 * verdicts are immutable.
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
import { admit, Admission } from './preprocess.js';
import { coarseCapacity, Slot, stateSlots, Wide, wideSlots, type SeriesState } from './state-layout.js';
import { coarseLength, fineBack, fineLength, pushCoarse, pushFine } from './rings.js';
import type { AnomalyKind, Classification, ModelVote, PointVerdict, SavedSeriesScorer, SeriesClass, SeriesScorerOptions } from './series-scorer.js';

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
const ENGINES_PER_BLOCK = 32;

const modelNames = [robustZscoreModel, seasonalModel, trendModel, levelShiftModel, spectralResidualModel, jitterModel, 'high-watermark'];
const kindOfModel: readonly (AnomalyKind | undefined)[] = [undefined, undefined, 'TREND', 'LEVEL_SHIFT', undefined, 'FLUCTUATION', 'HIGH_WATERMARK'];
const noVotes: ModelVote[] = Object.freeze([]) as unknown as ModelVote[];
const scores = new Float64Array(modelCount);

export function bucketSizeFor(intervalMs: number): number {
  return Math.max(1, Math.min(maxBucketSize, Math.round(classificationWindowMs / intervalMs / coarseCapacity)));
}

interface Block {
  slots: Float32Array;
  wide: Float64Array;
}

/** All engines of a pool as plain data, for snapshots: each block's bytes as they are (engine numbers stay valid). */
export interface SavedEnginePool {
  enginesPerBlock: number;
  used: number;
  released: number[];
  blocks: Uint8Array[];
}

export class EnginePool {
  private readonly blocks: Block[] = [];
  /** Engines handed out so far (the next new engine's number), and released ones to hand out again. */
  private used = 0;
  private readonly released: number[] = [];

  constructor(private readonly enginesPerBlock = ENGINES_PER_BLOCK) {}

  /** A new engine's number, in its initial state. */
  allocate(options: SeriesScorerOptions = {}): number {
    const engine = this.released.pop() ?? this.used++;
    if (engine >= this.blocks.length * this.enginesPerBlock) this.blocks.push(newBlock(this.enginesPerBlock));
    const { slots, o, wide, w } = this.at(engine);
    slots.fill(0, o, o + stateSlots);
    wide.fill(Number.NaN, w, w + wideSlots);
    wide[w + Wide.points] = 0;
    if (options.limit !== undefined && options.limit > 0 && Number.isFinite(options.limit)) wide[w + Wide.limit] = options.limit;
    if (options.intervalMs !== undefined && options.intervalMs > 0) {
      slots[o + Slot.intervalFixed] = 1;
      slots[o + Slot.intervalMs] = options.intervalMs;
      slots[o + Slot.bucketSize] = bucketSizeFor(options.intervalMs);
    }
    return engine;
  }

  release(engine: number): void {
    this.released.push(engine);
  }

  /** Points pushed to the engine so far, including skipped ones. */
  points(engine: number): number {
    const { wide, w } = this.at(engine);
    return wide[w + Wide.points]!;
  }

  /** Judges one point of the engine's series. NaN / ±Infinity values are not points: a zero-score verdict, counted as missing. */
  push(engine: number, timestampMs: number, value: number): PointVerdict {
    // Inline rather than this.at(engine): the hot path allocates nothing before the verdict.
    const block = this.blocks[Math.floor(engine / this.enginesPerBlock)]!;
    const index = engine % this.enginesPerBlock;
    const s = block.slots;
    const o = index * stateSlots;
    const wide = block.wide;
    const w = index * wideSlots;
    wide[w + Wide.points] = wide[w + Wide.points]! + 1;
    if (admit(s, o, wide, w, timestampMs, value) !== Admission.Point) return quietVerdict(s, o);
    if (s[o + Slot.bucketSize] === 0 && s[o + Slot.intervalMs]! > 0) s[o + Slot.bucketSize] = bucketSizeFor(s[o + Slot.intervalMs]!);
    const limit = wide[w + Wide.limit]!;

    const count = s[o + Slot.validPoints]!;
    const warm = count >= warmUpPoints && s[o + Slot.pointsSinceGap]! > 1;
    const seriesClass = classOf(s, o);
    const weights = classWeights[seriesClass];
    scores.fill(0);

    let center = value;
    let sigma = 0;
    let z = 0;
    if (fineLength(s, o) > 0) {
      center = localMedian(s, o);
      sigma = robustSigma(s, o, center);
      z = (value - center) / sigma;
      if (warm) scores[ModelIndex.robust] = z < 0 ? -robustScore(z) : robustScore(z);
      scores[ModelIndex.jitter] = jitterStep(s, o, fineBack(s, o, 0), value, warm && count >= jitterWarmUpPoints);
      if (warm && (z >= spectralPrescreenZ || z <= -spectralPrescreenZ) && weights[ModelIndex.spectral] > 0) {
        const spectral = spectralScore(spectralRatio(s, o, value));
        scores[ModelIndex.spectral] = z < 0 ? -spectral : spectral;
      }
      updateRobust(s, o, value, warm);
      scores[ModelIndex.levelShift] = levelShiftStep(s, o, value, warm);
    } else {
      startLevelShift(s, o, value);
    }

    let seasonalExpected = NaN;
    if (s[o + Slot.periodBuckets]! > 0) {
      const reference = seasonalReference(s, o);
      seasonalExpected = reference + s[o + Slot.seasonalOffset]!;
      scores[ModelIndex.seasonal] = seasonalStep(s, o, reference, value, warm);
    }

    let exhaustionInMs: number | undefined;
    if (limit === limit) {
      const points = pointsToLimit(s, o, limit);
      if (Number.isFinite(points)) {
        scores[ModelIndex.trend] = exhaustionScore(s, o, points);
        if (scores[ModelIndex.trend]! > 0 || points === 0) exhaustionInMs = points * s[o + Slot.intervalMs]!;
      }
      scores[ModelIndex.watermark] = watermarkScore(value, limit);
      advanceTrend(s, o);
    }

    learn(s, o, value, count, limit);
    return verdict(s, o, value, center, sigma, seasonalExpected, seriesClass, weights, exhaustionInMs);
  }

  /**
   * The engine's latest `count` admitted values (or all it keeps: at most fineCapacity), oldest
   * first, at the Float32 precision the engine keeps them in (about 7 significant digits).
   */
  lastValues(engine: number, count: number): number[] {
    const { slots, o } = this.at(engine);
    const n = Math.min(count, fineLength(slots, o));
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = fineBack(slots, o, n - 1 - i);
    return out;
  }

  /** The engine's current class and its features. */
  classification(engine: number): Classification {
    const { slots, o } = this.at(engine);
    return { seriesClass: classOf(slots, o), features: classificationFeatures(slots, o) };
  }

  /** A copy of one engine's state: restore(saved) continues exactly where it is. */
  save(engine: number): SavedSeriesScorer {
    const { slots, o, wide, w } = this.at(engine);
    return { state: slots.slice(o, o + stateSlots), wide: wide.slice(w, w + wideSlots) };
  }

  /** A new engine that continues exactly where the saved one was. */
  restore(saved: SavedSeriesScorer): number {
    if (saved.state.length !== stateSlots || saved.wide.length !== wideSlots) {
      throw new Error(`a saved engine has ${saved.state.length} + ${saved.wide.length} slots, this engine ${stateSlots} + ${wideSlots}`);
    }
    const engine = this.allocate();
    const { slots, o, wide, w } = this.at(engine);
    slots.set(saved.state, o);
    wide.set(saved.wide, w);
    return engine;
  }

  saveAll(): SavedEnginePool {
    return {
      enginesPerBlock: this.enginesPerBlock,
      used: this.used,
      released: [...this.released],
      blocks: this.blocks.map(({ wide }) => new Uint8Array(wide.buffer.slice(0))),
    };
  }

  static restoreAll(saved: SavedEnginePool): EnginePool {
    const pool = new EnginePool(saved.enginesPerBlock);
    const bytes = blockBytes(saved.enginesPerBlock);
    for (const block of saved.blocks) {
      if (block.byteLength !== bytes) throw new Error(`a saved engine block has ${block.byteLength} bytes, this engine's ${bytes}`);
      pool.blocks.push(viewsOf(new Uint8Array(block).buffer, saved.enginesPerBlock));
    }
    pool.used = saved.used;
    pool.released.push(...saved.released);
    return pool;
  }

  private at(engine: number): { slots: Float32Array; o: number; wide: Float64Array; w: number } {
    const block = this.blocks[Math.floor(engine / this.enginesPerBlock)]!;
    const index = engine % this.enginesPerBlock;
    return { slots: block.slots, o: index * stateSlots, wide: block.wide, w: index * wideSlots };
  }
}

function blockBytes(engines: number): number {
  return engines * (wideSlots * 8 + stateSlots * 4);
}

function viewsOf(buffer: ArrayBuffer, engines: number): Block {
  return { wide: new Float64Array(buffer, 0, engines * wideSlots), slots: new Float32Array(buffer, engines * wideSlots * 8, engines * stateSlots) };
}

function newBlock(engines: number): Block {
  return viewsOf(new ArrayBuffer(blockBytes(engines)), engines);
}

/** Learns an admitted point: the fine ring, the open bucket, and when a bucket closes the coarse ring, the class and the trend. */
function learn(s: SeriesState, o: number, value: number, count: number, limit: number): void {
  pushFine(s, o, value);
  if (count < 1e6) s[o + Slot.validPoints] = count + 1;
  const bucketSize = s[o + Slot.bucketSize]!;
  if (bucketSize === 0) return;
  s[o + Slot.bucketSum] = s[o + Slot.bucketSum]! + value;
  s[o + Slot.bucketCount] = s[o + Slot.bucketCount]! + 1;
  if (s[o + Slot.bucketCount]! < bucketSize) return;
  pushCoarse(s, o, s[o + Slot.bucketSum]! / s[o + Slot.bucketCount]!);
  s[o + Slot.bucketSum] = 0;
  s[o + Slot.bucketCount] = 0;
  const known = limit === limit ? limit : undefined;
  if (coarseLength(s, o) < coarseCapacity / 2 || s[o + Slot.coarseHead]! % classifyEveryBuckets === 0) classify(s, o, known);
  if (known !== undefined) refitTrend(s, o);
}

function verdict(
  s: SeriesState,
  o: number,
  value: number,
  center: number,
  sigma: number,
  seasonalExpected: number,
  seriesClass: SeriesClass,
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
    const width = calibratedAlarm(seasonalOnset, seasonalHalf) * seasonalSigma(s, o);
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
function quietVerdict(s: SeriesState, o: number): PointVerdict {
  let expectedLow = NaN;
  let expectedHigh = NaN;
  if (fineLength(s, o) > 0) {
    const center = localMedian(s, o);
    const width = (robustOnset + robustHalf) * robustSigma(s, o, center);
    expectedLow = center - width;
    expectedHigh = center + width;
  }
  return { score: 0, expectedLow, expectedHigh, kind: 'SPIKE', votes: noVotes, seriesClass: classOf(s, o), exhaustionInMs: undefined };
}
