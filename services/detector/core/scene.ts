/**
 * The scene of one node: what a diagnosis needs besides the anomalous series, cached from the
 * node's batches. Each scene source keeps its latest few snapshots (process tables several, so RSS
 * growth per pid can be computed; meminfo, vmstat, PSI, sysctls, cgroups the latest; kernel events
 * the last batches that carried any, up to `maxAgeMs` old). The cache is bounded by `maxSamples` per
 * node: beyond it the oldest snapshots go first (counted as dropped). A request does not carry every cgroup: only the
 * anomaly's own (and its ancestors and pod) and the `topCgroups` with the largest working set.
 */
import type { MetricBatch, Sample, SceneSample } from '../../../src/codec/records.generated.js';

export interface SceneSource {
  /** A batch source name; a trailing `*` matches a prefix (cgroup.memory* also takes the shards cgroup.memory.<k>). */
  source: string;
  /** How many of its latest batches to keep. */
  snapshots: number;
  /** Only samples whose name matches are kept; a batch left empty keeps the previous snapshots. */
  include?: RegExp;
}

export interface SceneOptions {
  sources: readonly SceneSource[];
  /** Samples one node's cache holds at most. */
  maxSamples: number;
  /** Cgroups in a request besides the anomaly's own: this many with the largest working set. */
  topCgroups: number;
  /** A snapshot older than this (by the node's batch time) is dropped: a source that stopped, an old kernel event. */
  maxAgeMs: number;
}

const cgroupMemoryNames = /^cgroup_memory_(usage|limit|working_set|active_working_set)_bytes$|^cgroup_memory_events_\w+_total$|^cgroup_memory_stat_(anon|file|active_anon|inactive_anon|active_file|inactive_file|shmem|slab|slab_reclaimable|slab_unreclaimable|kernel|kernel_stack|sock|file_dirty|file_writeback)_bytes$/;

export const defaultSceneOptions: SceneOptions = {
  sources: [
    { source: 'proc.processes', snapshots: 6 },
    { source: 'proc.meminfo', snapshots: 1 },
    { source: 'proc.vmstat', snapshots: 1 },
    { source: 'proc.pressure', snapshots: 1 },
    { source: 'proc.loadavg', snapshots: 1 },
    { source: 'proc.sysctl', snapshots: 1 },
    { source: 'cgroup.memory*', snapshots: 1, include: cgroupMemoryNames },
    { source: 'cgroup.cpu*', snapshots: 1 },
    { source: 'cgroup.pressure*', snapshots: 1 },
    { source: 'cgroup.pids*', snapshots: 1 },
    { source: 'kernel.events', snapshots: 4, include: /^kernel_(?!events_total$)/ },
  ],
  maxSamples: 50_000,
  topCgroups: 10,
  maxAgeMs: 15 * 60_000,
};

interface Snapshot {
  position: number;
  timestampMs: number;
  samples: SceneSample[];
}

/** What a request's scene is about: the anomalous series' cgroup and pod, when it has them. */
export interface SceneFocus {
  cgroup?: string;
  namespace?: string;
  pod?: string;
}

function matches(pattern: string, source: string): boolean {
  return pattern.endsWith('*') ? source.startsWith(pattern.slice(0, -1)) : pattern === source;
}

export class NodeScene {
  /** Per batch source (not per pattern: cgroup shards are separate), its snapshots oldest first. */
  private readonly bySource = new Map<string, Snapshot[]>();
  private size = 0;
  /** Samples dropped to keep the cache within maxSamples. */
  dropped = 0;

  constructor(private readonly options: SceneOptions) {}

  private sourceOption(source: string): SceneSource | undefined {
    return this.options.sources.find((option) => matches(option.source, source));
  }

  /** Keeps the batch if its source is part of the scene (samples already checked by the detector). */
  observe(batch: MetricBatch, samples: readonly Sample[], position: number): void {
    this.expire(batch.timestampMs);
    const option = this.sourceOption(batch.source);
    if (!option || option.snapshots <= 0) return;
    const kept: SceneSample[] = [];
    for (const sample of samples) {
      if (option.include && !option.include.test(sample.name)) continue;
      kept.push({ name: sample.name, labels: sample.labels, value: sample.value, timestampMs: batch.timestampMs });
    }
    if (option.include && kept.length === 0) return;
    const snapshots = this.bySource.get(batch.source) ?? [];
    snapshots.push({ position, timestampMs: batch.timestampMs, samples: kept });
    this.size += kept.length;
    while (snapshots.length > option.snapshots) this.size -= snapshots.shift()!.samples.length;
    this.bySource.set(batch.source, snapshots);
    this.trim(batch.source);
  }

  private expire(nowMs: number): void {
    for (const [source, snapshots] of this.bySource) {
      while (snapshots.length > 0 && nowMs - snapshots[0]!.timestampMs > this.options.maxAgeMs) this.size -= snapshots.shift()!.samples.length;
      if (snapshots.length === 0) this.bySource.delete(source);
    }
  }

  /** Drops the oldest history snapshots, then other sources' oldest snapshots, then cuts the newest batch, until within maxSamples. */
  private trim(newest: string): void {
    while (this.size > this.options.maxSamples) {
      let victim: { source: string; snapshots: Snapshot[]; position: number; history: boolean } | undefined;
      for (const [source, snapshots] of this.bySource) {
        const first = snapshots[0];
        if (!first || (source === newest && snapshots.length === 1)) continue;
        const history = snapshots.length > 1;
        if (!victim || (history && !victim.history) || (history === victim.history && first.position < victim.position)) victim = { source, snapshots, position: first.position, history };
      }
      if (!victim) {
        const only = this.bySource.get(newest)![0]!;
        const excess = this.size - this.options.maxSamples;
        only.samples.length -= excess;
        this.size -= excess;
        this.dropped += excess;
        return;
      }
      const removed = victim.snapshots.shift()!;
      this.size -= removed.samples.length;
      this.dropped += removed.samples.length;
      if (victim.snapshots.length === 0) this.bySource.delete(victim.source);
    }
  }

  /** Samples the cache holds now. */
  get sampleCount(): number {
    return this.size;
  }

  /**
   * The scene of a request: scene sources in option order (shards by name), snapshots oldest first;
   * cgroup samples only of the focus cgroup (and its ancestors), the focus pod, and the top cgroups
   * by working set.
   */
  samples(focus: SceneFocus = {}): SceneSample[] {
    const wanted = this.wantedCgroups(focus);
    const out: SceneSample[] = [];
    for (const option of this.options.sources) {
      const sources = [...this.bySource.keys()].filter((source) => matches(option.source, source)).sort();
      for (const source of sources) {
        for (const snapshot of this.bySource.get(source)!) {
          for (const sample of snapshot.samples) {
            const cgroup = source.startsWith('cgroup.') ? sample.labels['cgroup'] : undefined;
            if (cgroup !== undefined && !wanted.has(cgroup) && !(focus.pod !== undefined && sample.labels['pod'] === focus.pod && sample.labels['namespace'] === focus.namespace)) continue;
            out.push(sample);
          }
        }
      }
    }
    return out;
  }

  private wantedCgroups(focus: SceneFocus): Set<string> {
    const wanted = new Set<string>();
    if (focus.cgroup !== undefined) {
      for (let path = focus.cgroup; path.length > 0; path = path.slice(0, Math.max(0, path.lastIndexOf('/')))) wanted.add(path);
    }
    const bySize: [string, number][] = [];
    for (const [source, snapshots] of this.bySource) {
      if (!source.startsWith('cgroup.memory')) continue;
      for (const sample of snapshots.at(-1)?.samples ?? []) {
        const cgroup = sample.labels['cgroup'];
        if (sample.name === 'cgroup_memory_working_set_bytes' && cgroup !== undefined) bySize.push([cgroup, sample.value]);
      }
    }
    bySize.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [cgroup] of bySize.slice(0, this.options.topCgroups)) wanted.add(cgroup);
    return wanted;
  }

  /** The pod labels (namespace, pod, container) the collector gave a cgroup path, from the cached cgroup and process samples. */
  attributionOf(cgroupPath: string): Record<string, string> | undefined {
    for (const [source, snapshots] of this.bySource) {
      if (!source.startsWith('cgroup.') && source !== 'proc.processes') continue;
      const samples = snapshots.at(-1)?.samples ?? [];
      const found = samples.find((sample) => sample.labels['cgroup'] === cgroupPath && sample.labels['pod'] !== undefined && sample.labels['namespace'] !== undefined);
      if (!found) continue;
      const { namespace, pod, container } = found.labels;
      return { namespace: namespace!, pod: pod!, ...(container !== undefined ? { container } : {}) };
    }
    return undefined;
  }

  /** The cache as plain data, for snapshots. */
  save(): SavedScene {
    return { bySource: [...this.bySource].map(([source, snapshots]) => [source, snapshots]), size: this.size, dropped: this.dropped };
  }

  static restore(options: SceneOptions, saved: SavedScene): NodeScene {
    const scene = new NodeScene(options);
    for (const [source, snapshots] of saved.bySource) scene.bySource.set(source, snapshots);
    scene.size = saved.size;
    scene.dropped = saved.dropped;
    return scene;
  }
}

export interface SavedScene {
  bySource: [string, { position: number; timestampMs: number; samples: SceneSample[] }[]][];
  size: number;
  dropped: number;
}
