/**
 * The scene of one node: what a diagnosis needs besides the anomalous series. The last few
 * snapshots of the sources whose history matters (process tables, so RSS growth per pid can be
 * computed) and the latest batch of the others (meminfo, vmstat, pressure). Bounded by the counts.
 */
import type { MetricBatch, SceneSample } from '../../../src/codec/records.generated.js';

export interface SceneOptions {
  /** Source → how many of its latest batches the scene keeps. */
  snapshots: Readonly<Record<string, number>>;
}

export const defaultSceneOptions: SceneOptions = {
  snapshots: { 'proc.processes': 6, 'proc.meminfo': 1, 'proc.vmstat': 1, 'proc.pressure': 1 },
};

interface Snapshot {
  position: number;
  samples: SceneSample[];
}

export class NodeScene {
  private readonly bySource = new Map<string, Snapshot[]>();

  constructor(private readonly options: SceneOptions = defaultSceneOptions) {}

  /** Keeps the batch if its source is part of the scene. */
  observe(batch: MetricBatch, position: number): void {
    const keep = this.options.snapshots[batch.source] ?? 0;
    if (keep <= 0) return;
    const samples = batch.samples.map((sample) => ({ name: sample.name, labels: sample.labels, value: sample.value, timestampMs: batch.timestampMs }));
    const snapshots = this.bySource.get(batch.source) ?? [];
    snapshots.push({ position, samples });
    while (snapshots.length > keep) snapshots.shift();
    this.bySource.set(batch.source, snapshots);
  }

  /** The scene as samples: sources in option order, each source's snapshots oldest first. */
  samples(): SceneSample[] {
    const out: SceneSample[] = [];
    for (const source of Object.keys(this.options.snapshots)) {
      for (const snapshot of this.bySource.get(source) ?? []) out.push(...snapshot.samples);
    }
    return out;
  }

  /** Position of the oldest batch the scene holds; undefined when empty. */
  oldestPosition(): number | undefined {
    let oldest: number | undefined;
    for (const snapshots of this.bySource.values()) {
      const first = snapshots[0];
      if (first && (oldest === undefined || first.position < oldest)) oldest = first.position;
    }
    return oldest;
  }
}
