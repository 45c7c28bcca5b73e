import type { Sample } from '../../src/codec/records.generated.js';
import type { Problems } from './core/problems.js';
import type { HostFiles } from './host-files.js';

/** The samples of one source read in one cycle; one metrics.raw record. */
export interface SourceBatch {
  /** e.g. proc.meminfo, proc.processes, cgroup.memory. Stable across cycles: the detector tracks series per source. */
  source: string;
  samples: Sample[];
}

export interface CollectContext {
  files: HostFiles;
  /** Problems of this source in this cycle (counted on /metrics, logged once). */
  problems: Problems;
  /** Cycle time, milliseconds since the epoch (for rates such as per-process CPU usage). */
  nowMs: number;
}

/**
 * One thing the collector reads each cycle. collect() never throws for bad input: it returns what it
 * could read and reports the rest to context.problems; an empty result means the source is absent
 * on this host (no PSI, no conntrack). A source may keep state between cycles (previous CPU times).
 * A source that can grow large (cgroups on a node with hundreds of containers) splits its samples
 * over several batches with stable source names, each well under a Kafka message (≤ 5,000 samples).
 */
export interface Source {
  readonly name: string;
  collect(context: CollectContext): Promise<SourceBatch[]>;
}
