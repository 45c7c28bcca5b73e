/**
 * One series' scorer (what `vigil detect` and the tests use): an engine pool (engine-pool.ts) of one.
 * The live detector keeps its series' engines in one shared pool instead.
 */
import { EnginePool } from './engine-pool.js';
import type { SavedSeriesScorer, SeriesScorer, SeriesScorerOptions } from './series-scorer.js';

export { warmUpPoints } from './engine-pool.js';

class PooledScorer implements SeriesScorer {
  constructor(
    private readonly pool: EnginePool,
    private readonly engine: number,
  ) {}

  push(timestampMs: number, value: number) {
    return this.pool.push(this.engine, timestampMs, value);
  }

  classification() {
    return this.pool.classification(this.engine);
  }

  get points(): number {
    return this.pool.points(this.engine);
  }

  save(): SavedSeriesScorer {
    return this.pool.save(this.engine);
  }
}

/** A scorer for one series. Verdicts are plain immutable objects; keep them as long as you like. */
export function createSeriesScorer(options: SeriesScorerOptions = {}): SeriesScorer {
  const pool = new EnginePool(1);
  return new PooledScorer(pool, pool.allocate(options));
}

/** A scorer that continues exactly where the saved one was (see SeriesScorer.save). */
export function restoreSeriesScorer(saved: SavedSeriesScorer): SeriesScorer {
  const pool = new EnginePool(1);
  return new PooledScorer(pool, pool.restore(saved));
}
