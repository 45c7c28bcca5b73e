/**
 * The scene of a diagnosis — the node's samples around an anomaly, several snapshots of each — as the
 * questions rules ask of it: the latest value of a metric, a series over time and its rate, the
 * processes and cgroups with their history, sysctls, kernel events. Built once per request from the
 * request's scene (live) or from a capture's two copies (`vigil diagnose DIR`); rules never parse
 * samples themselves. Pure: no I/O, no clock.
 *
 * Metric names are the collector's (services/collector/README.md): node_*, process_* labelled
 * {pid, comm, state, cgroup, pod labels}, cgroup_* labelled {cgroup, pod labels}, node_sysctl_*,
 * kernel_* events.
 */
import type { SceneSample } from '../../../src/codec/records.generated.js';

export type Labels = Readonly<Record<string, string>>;

export interface Point {
  timestampMs: number;
  value: number;
}

/** One series of the scene: a metric with one label set, its points oldest first. */
export interface SeriesView {
  name: string;
  labels: Labels;
  points: Point[];
}

/** The last point of a series. */
export function latest(series: SeriesView | undefined): number | undefined {
  return series?.points[series.points.length - 1]?.value;
}

/** Change of a series between its first and last points; undefined with fewer than two. */
export function delta(series: SeriesView | undefined): number | undefined {
  if (!series || series.points.length < 2) return undefined;
  return series.points[series.points.length - 1]!.value - series.points[0]!.value;
}

/** Change per second between the first and last points (a counter's rate, a gauge's slope); undefined with fewer than two. */
export function ratePerSecond(series: SeriesView | undefined): number | undefined {
  if (!series || series.points.length < 2) return undefined;
  const first = series.points[0]!;
  const last = series.points[series.points.length - 1]!;
  const seconds = (last.timestampMs - first.timestampMs) / 1000;
  return seconds > 0 ? (last.value - first.value) / seconds : undefined;
}

/** Seconds covered by a series' points. */
export function spanSeconds(series: SeriesView | undefined): number {
  if (!series || series.points.length < 2) return 0;
  return (series.points[series.points.length - 1]!.timestampMs - series.points[0]!.timestampMs) / 1000;
}

/** Labels that name a pod, copied from a process or cgroup sample. */
export interface PodRef {
  namespace?: string;
  pod?: string;
  container?: string;
  podUid?: string;
  containerId?: string;
  ownerKind?: string;
  ownerName?: string;
}

function podRefOf(labels: Labels): PodRef | undefined {
  const ref: PodRef = {};
  if (labels.namespace) ref.namespace = labels.namespace;
  if (labels.pod) ref.pod = labels.pod;
  if (labels.container) ref.container = labels.container;
  if (labels.pod_uid) ref.podUid = labels.pod_uid;
  if (labels.container_id) ref.containerId = labels.container_id;
  if (labels.owner_kind) ref.ownerKind = labels.owner_kind;
  if (labels.owner_name) ref.ownerName = labels.owner_name;
  return Object.keys(ref).length > 0 ? ref : undefined;
}

/** One process across the scene's snapshots (pid + comm: a reused pid is another process). */
export interface ProcessView {
  pid: string;
  comm: string;
  /** State letter at the latest snapshot (R, S, D, Z, …). */
  state: string;
  /** States seen, oldest first, one per snapshot. */
  states: string[];
  cgroup?: string;
  cmdline?: string;
  ppid?: string;
  pod?: PodRef;
  /** process_<metric> series by metric suffix: rss_bytes, resident_anon_bytes, cpu_usage_cores, io_write_bytes_per_second, run_delay_ratio, threads, … */
  metrics: Map<string, SeriesView>;
}

/** One cgroup across the snapshots; metrics by the suffix after `cgroup_`: memory_usage_bytes, memory_limit_bytes, cpu_throttled_periods_total, pids_current, … */
export interface CgroupView {
  path: string;
  pod?: PodRef;
  metrics: Map<string, SeriesView>;
  /** I/O per device: `io_read_bytes_total` → device → series. */
  devices: Map<string, Map<string, SeriesView>>;
}

/** One kernel event sample (kernel_oom_kill, kernel_hung_task, …) with its labels and value. */
export interface KernelEventView {
  kind: string;
  labels: Labels;
  value: number;
  timestampMs: number;
  /** Sibling samples of the same event: kernel_oom_kill_total_vm_bytes → total_vm_bytes. */
  details: Map<string, number>;
}

const keyOf = (name: string, labels: Labels): string =>
  `${name}{${Object.keys(labels).sort().map((key) => `${key}=${labels[key]}`).join(',')}}`;

export class SceneView {
  private readonly byName = new Map<string, Map<string, SeriesView>>();
  private processCache: ProcessView[] | undefined;
  private cgroupCache: CgroupView[] | undefined;
  /** Distinct snapshot times, ascending. */
  readonly times: number[];
  /** Usable samples (finite value and time). */
  readonly sampleCount: number;

  constructor(samples: readonly SceneSample[]) {
    const times = new Set<number>();
    let count = 0;
    for (const sample of samples) {
      if (!Number.isFinite(sample.value) || !Number.isFinite(sample.timestampMs)) continue;
      count++;
      times.add(sample.timestampMs);
      let series = this.byName.get(sample.name);
      if (!series) this.byName.set(sample.name, (series = new Map()));
      const key = keyOf(sample.name, sample.labels);
      let view = series.get(key);
      if (!view) series.set(key, (view = { name: sample.name, labels: sample.labels, points: [] }));
      view.points.push({ timestampMs: sample.timestampMs, value: sample.value });
    }
    for (const series of this.byName.values()) {
      for (const view of series.values()) {
        view.points.sort((a, b) => a.timestampMs - b.timestampMs);
        // Two readings at one instant are one point: the last delivered wins.
        view.points = view.points.filter((point, i, all) => i === all.length - 1 || all[i + 1]!.timestampMs !== point.timestampMs);
      }
    }
    this.times = [...times].sort((a, b) => a - b);
    this.sampleCount = count;
  }

  /** Whether the scene has any sample of this metric. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Every series of a metric whose labels include `match`. */
  series(name: string, match: Labels = {}): SeriesView[] {
    const all = this.byName.get(name);
    if (!all) return [];
    const out: SeriesView[] = [];
    for (const view of all.values()) if (Object.entries(match).every(([key, value]) => view.labels[key] === value)) out.push(view);
    return out;
  }

  /** The one series of a metric matching `match` (the first when several do). */
  one(name: string, match: Labels = {}): SeriesView | undefined {
    return this.series(name, match)[0];
  }

  /** Latest value of a metric's series matching `match`. */
  latest(name: string, match: Labels = {}): number | undefined {
    return latest(this.one(name, match));
  }

  /** A sysctl by its dotted name (vm.dirty_background_ratio), from node_sysctl_*. */
  sysctl(name: string): number | undefined {
    return this.latest(`node_sysctl_${name.replace(/[.-]/g, '_')}`);
  }

  /** Every process in the scene, by pid + comm, with its metrics over time. */
  processes(): ProcessView[] {
    if (this.processCache) return this.processCache;
    const byProcess = new Map<string, ProcessView>();
    const statesAt = new Map<string, Map<number, string>>();
    for (const [name, series] of this.byName) {
      if (!name.startsWith('process_')) continue;
      const metric = name.slice('process_'.length);
      for (const view of series.values()) {
        const { pid, comm = '' } = view.labels;
        if (!pid) continue;
        const key = `${pid}\u0000${comm}`;
        let process = byProcess.get(key);
        if (!process) {
          process = { pid, comm, state: '', states: [], metrics: new Map() };
          byProcess.set(key, process);
        }
        const state = view.labels.state ?? '';
        let states = statesAt.get(key);
        if (!states) statesAt.set(key, (states = new Map()));
        for (const point of view.points) states.set(point.timestampMs, state);
        if (view.labels.cgroup) process.cgroup = view.labels.cgroup;
        if (view.labels.cmdline !== undefined) process.cmdline = view.labels.cmdline;
        if (view.labels.ppid !== undefined) process.ppid = view.labels.ppid;
        process.pod ??= podRefOf(view.labels);
        if (metric === 'info') continue;
        // One series per metric across state changes: the state is a label, the process is not.
        const existing = process.metrics.get(metric);
        if (!existing) process.metrics.set(metric, { name, labels: view.labels, points: [...view.points] });
        else {
          existing.points.push(...view.points);
          existing.points.sort((a, b) => a.timestampMs - b.timestampMs);
        }
      }
    }
    for (const [key, process] of byProcess) {
      const states = [...(statesAt.get(key) ?? new Map<number, string>()).entries()].sort((a, b) => a[0] - b[0]).map(([, state]) => state);
      process.states = states;
      process.state = states[states.length - 1] ?? '';
    }
    this.processCache = [...byProcess.values()];
    return this.processCache;
  }

  /** Every cgroup in the scene, by its `cgroup` label, with its metrics over time. */
  cgroups(): CgroupView[] {
    if (this.cgroupCache) return this.cgroupCache;
    const byPath = new Map<string, CgroupView>();
    for (const [name, series] of this.byName) {
      if (!name.startsWith('cgroup_')) continue;
      const metric = name.slice('cgroup_'.length);
      for (const view of series.values()) {
        const path = view.labels.cgroup;
        if (!path) continue;
        let cgroup = byPath.get(path);
        if (!cgroup) byPath.set(path, (cgroup = { path, metrics: new Map(), devices: new Map() }));
        cgroup.pod ??= podRefOf(view.labels);
        const device = view.labels.device;
        if (device !== undefined) {
          let perDevice = cgroup.devices.get(metric);
          if (!perDevice) cgroup.devices.set(metric, (perDevice = new Map()));
          perDevice.set(device, view);
        } else {
          cgroup.metrics.set(metric, view);
        }
      }
    }
    this.cgroupCache = [...byPath.values()];
    return this.cgroupCache;
  }

  /** Kernel events of a kind (oom_kill, hung_task, soft_lockup, hard_lockup, rcu_stall), oldest first. */
  events(kind: string): KernelEventView[] {
    const name = `kernel_${kind}`;
    const out: KernelEventView[] = [];
    for (const view of this.series(name)) {
      const point = view.points[view.points.length - 1]!;
      const details = new Map<string, number>();
      for (const [siblingName, siblings] of this.byName) {
        if (!siblingName.startsWith(`${name}_`)) continue;
        const sibling = siblings.get(keyOf(siblingName, view.labels));
        const value = latest(sibling);
        if (value !== undefined) details.set(siblingName.slice(name.length + 1), value);
      }
      out.push({ kind, labels: view.labels, value: point.value, timestampMs: point.timestampMs, details });
    }
    return out.sort((a, b) => (a.details.get('timestamp_seconds') ?? a.timestampMs / 1000) - (b.details.get('timestamp_seconds') ?? b.timestampMs / 1000));
  }
}
