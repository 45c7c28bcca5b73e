import { deterministicId } from '../../src/codec/ids.js';
import type { MetricBatch } from '../../src/codec/records.generated.js';
import type { Problems } from './core/problems.js';
import type { HostFiles } from './host-files.js';
import type { Source, SourceBatch } from './source.js';

/** One problem of one source in one cycle. */
export interface SourceProblem {
  source: string;
  problem: string;
}

export interface CycleResult {
  batches: SourceBatch[];
  problems: SourceProblem[];
}

export interface Collector {
  /** Reads every source once, in order; never throws (a source that throws is a problem of that source). */
  collect(nowMs: number): Promise<CycleResult>;
}

/** Runs the sources one after the other over the same host files. */
export function createCollector(files: HostFiles, sources: readonly Source[]): Collector {
  return {
    async collect(nowMs) {
      const batches: SourceBatch[] = [];
      const problems: SourceProblem[] = [];
      for (const source of sources) {
        const sourceProblems: Problems = { report: (problem) => void problems.push({ source: source.name, problem }) };
        try {
          for (const batch of await source.collect({ files, problems: sourceProblems, nowMs })) {
            if (batch.samples.length > 0) batches.push(batch);
          }
        } catch (error) {
          sourceProblems.report(`source failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      files.endCycle();
      return { batches, problems };
    },
  };
}

/** A cycle's batches as metrics.raw records of one node, each with its deterministic id. */
export function toMetricBatches(cluster: string, node: string, batches: readonly SourceBatch[], timestampMs: number): MetricBatch[] {
  return batches.map(({ source, samples }) => ({ id: deterministicId(cluster, node, source, timestampMs), cluster, node, source, timestampMs, samples }));
}
