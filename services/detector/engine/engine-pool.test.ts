import { expect, test } from 'vitest';
import { EnginePool } from './engine-pool.js';
import { createSeriesScorer } from './create-series-scorer.js';
import { fineCapacity } from './state-layout.js';

const stepMs = 15_000;
const value = (i: number, seed: number): number => 1_000 + 50 * Math.sin(i / 7 + seed) + (i === 150 ? 400 : 0);

test('engines sharing a pool judge each series exactly as a scorer of its own does', () => {
  const pool = new EnginePool();
  const engines = Array.from({ length: 40 }, () => pool.allocate({ intervalMs: stepMs }));
  const alone = engines.map(() => createSeriesScorer({ intervalMs: stepMs }));
  for (let i = 0; i < 200; i++) {
    for (const [s, engine] of engines.entries()) expect(pool.push(engine, i * stepMs, value(i, s))).toEqual(alone[s]!.push(i * stepMs, value(i, s)));
  }
  expect(pool.classification(engines[39]!)).toEqual(alone[39]!.classification());
  expect(pool.points(engines[0]!)).toBe(200);
});

test('a released engine is handed out again in its initial state; a pool saved whole continues exactly', () => {
  const pool = new EnginePool(4);
  const engines = Array.from({ length: 10 }, () => pool.allocate());
  for (let i = 0; i < 60; i++) for (const [s, engine] of engines.entries()) pool.push(engine, i * stepMs, value(i, s));
  pool.release(engines[2]!);
  const reused = pool.allocate();
  expect(reused).toBe(engines[2]);
  expect(pool.points(reused)).toBe(0);
  expect(pool.lastValues(reused, 5)).toEqual([]);

  const copy = EnginePool.restoreAll(structuredClone(pool.saveAll()));
  for (let i = 60; i < 80; i++) for (const [s, engine] of engines.entries()) expect(copy.push(engine, i * stepMs, value(i, s))).toEqual(pool.push(engine, i * stepMs, value(i, s)));
});

test('lastValues gives the latest admitted values, oldest first, at most the fine ring', () => {
  const pool = new EnginePool();
  const engine = pool.allocate();
  for (let i = 0; i < 50; i++) pool.push(engine, i * stepMs, i + 0.25);
  pool.push(engine, 49 * stepMs, 999); // stale: not admitted
  pool.push(engine, 50 * stepMs, Number.NaN); // missing: not admitted
  expect(pool.lastValues(engine, 3)).toEqual([47.25, 48.25, 49.25]);
  expect(pool.lastValues(engine, 100)).toHaveLength(fineCapacity);
});
