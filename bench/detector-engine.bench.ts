/**
 * Speed and memory of the detection engine (services/detector/engine): replay of one series, of
 * 10,000 series round robin, and the state a live series costs. Targets: ≥ 500k points/s on one
 * series, ≥ 200k points/s across 10,000 series, ≤ 1 KB per series.
 *
 * The series: a daily curve at 5-minute steps with noise and a spike every ~500 points, so the
 * classifier finds it PERIODIC and every model (the spectral residual only on suspicious points)
 * runs as in production.
 *
 * One series runs through createSeriesScorer (what `vigil detect` uses); many series share one
 * EnginePool, as the live detector keeps them.
 *
 * Rerun: node --expose-gc --import tsx bench/detector-engine.bench.ts
 * Profile: node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/detector-engine.bench.ts
 */
import { createSeriesScorer } from '../services/detector/engine/create-series-scorer.js';
import { EnginePool } from '../services/detector/engine/engine-pool.js';

const stepMs = 300_000;
const dayPoints = 288;

/** Deterministic series values (xorshift noise), precomputed so the bench measures the engine. */
function seriesValues(count: number, seed: number): Float64Array {
  const out = new Float64Array(count);
  let state = seed | 1;
  const noise = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff - 0.5) * 2;
  };
  for (let i = 0; i < count; i++) {
    const phase = (2 * Math.PI * ((i + seed) % dayPoints)) / dayPoints;
    out[i] = 100 + 40 * Math.sin(phase) + 2 * noise() + (i % 503 === 0 ? 30 : 0);
  }
  return out;
}

function oneSeries(points: number): number {
  const values = seriesValues(points, 7);
  const scorer = createSeriesScorer();
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < points; i++) sink += scorer.push(i * stepMs, values[i]!).score;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink < 0) console.log(sink);
  return points / seconds;
}

function manySeries(seriesCount: number, pointsEach: number): number {
  const values = seriesValues(pointsEach + seriesCount, 11);
  const pool = new EnginePool();
  const engines: number[] = [];
  for (let s = 0; s < seriesCount; s++) engines.push(pool.allocate());
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < pointsEach; i++) {
    const t = i * stepMs;
    for (let s = 0; s < seriesCount; s++) sink += pool.push(engines[s]!, t, values[i + s]!).score;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink < 0) console.log(sink);
  return (seriesCount * pointsEach) / seconds;
}

function heapBytes(): { heap: number; arrayBuffers: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, arrayBuffers: usage.arrayBuffers };
}

function bytesPerSeries(seriesCount: number, pointsEach: number): { heap: number; arrayBuffers: number; rss: number } | undefined {
  if (!(globalThis as { gc?: () => void }).gc) return undefined;
  const values = seriesValues(pointsEach, 3);
  const before = heapBytes();
  const rssBefore = process.memoryUsage().rss;
  const pool = new EnginePool();
  for (let s = 0; s < seriesCount; s++) {
    const engine = pool.allocate();
    for (let i = 0; i < pointsEach; i++) pool.push(engine, i * stepMs, values[i]!);
  }
  const after = heapBytes();
  const rss = process.memoryUsage().rss - rssBefore;
  const result = { heap: (after.heap - before.heap) / seriesCount, arrayBuffers: (after.arrayBuffers - before.arrayBuffers) / seriesCount, rss: rss / seriesCount };
  // Read after the measurement, so the pool is not collected before it.
  if (pool.points(seriesCount - 1) !== pointsEach) throw new Error('an engine missed points');
  return result;
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US');

oneSeries(200_000);
const single = Math.max(oneSeries(2_000_000), oneSeries(2_000_000));
console.log(`one series:        ${format(single)} points/s (target ≥ 500,000)`);
manySeries(10_000, 20);
const many = manySeries(10_000, 1_000);
console.log(`10,000 series:     ${format(many)} points/s round robin (target ≥ 200,000)`);
const memory = bytesPerSeries(100_000, 60);
if (memory) {
  console.log(`state per series:  ${format(memory.heap + memory.arrayBuffers)} bytes (heap ${format(memory.heap)} + array buffers ${format(memory.arrayBuffers)}; target ≤ 1,024) over 100,000 series; RSS grew ${format(memory.rss)} bytes per series (adds malloc bookkeeping)`);
} else {
  console.log('state per series:  run with node --expose-gc --import tsx to measure');
}
console.log('rerun: node --expose-gc --import tsx bench/detector-engine.bench.ts');
