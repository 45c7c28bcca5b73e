/**
 * What the memory rules ask of a scene beyond SceneView: a gauge's trajectory across the snapshot
 * copies and the detector's window, a counter's rate (from the window when the detector sent rates),
 * a process's or cgroup's memory over time, the pod and the Kubernetes container spec behind them,
 * and the limit to suggest from an observed peak. Pure, like the rules.
 */
import type { ContainerSpecContext, ContainerStatusContext, KubernetesContext } from '../core/kubernetes-context.js';
import type { CgroupView, Labels, PodRef, Point, ProcessView, SceneView, SeriesView } from '../core/scene-view.js';
import { formatBytes } from '../core/format.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Label the detector puts on the window samples of a request: `value` (the series as published) or `rate` (per second, of a counter). */
export const WINDOW_LABEL = 'vigil_window';

const isRateWindow = (labels: Labels): boolean => labels[WINDOW_LABEL] === 'rate';

/** Points of several series of one quantity merged, oldest first; one point per instant (the later series wins). */
export function mergePoints(series: readonly SeriesView[]): Point[] {
  const byTime = new Map<number, number>();
  for (const view of series) for (const point of view.points) byTime.set(point.timestampMs, point.value);
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([timestampMs, value]) => ({ timestampMs, value }));
}

/** A gauge's points (snapshots and the detector's value window together) for series whose labels include `match`. */
export function gaugePoints(scene: SceneView, name: string, match: Labels = {}): Point[] {
  return mergePoints(scene.series(name, match).filter((view) => !isRateWindow(view.labels)));
}

/** How a quantity moved across the scene. */
export interface Trend {
  points: Point[];
  first: number;
  last: number;
  peak: number;
  /** last − first. */
  growth: number;
  seconds: number;
  /** growth / seconds; 0 with one point. */
  ratePerSecond: number;
  /** Share of consecutive steps that went up: 1 = monotonic growth, as a leak looks. */
  rises: number;
  /** Largest fall between consecutive points, ≥ 0. */
  largestDrop: number;
}

export function trendOf(points: readonly Point[]): Trend | undefined {
  if (points.length === 0) return undefined;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let up = 0;
  let largestDrop = 0;
  let peak = first.value;
  for (let i = 1; i < points.length; i++) {
    const step = points[i]!.value - points[i - 1]!.value;
    if (step > 0) up++;
    if (-step > largestDrop) largestDrop = -step;
    peak = Math.max(peak, points[i]!.value);
  }
  const seconds = (last.timestampMs - first.timestampMs) / 1000;
  const growth = last.value - first.value;
  return {
    points: [...points],
    first: first.value,
    last: last.value,
    peak,
    growth,
    seconds,
    ratePerSecond: seconds > 0 ? growth / seconds : 0,
    rises: points.length > 1 ? up / (points.length - 1) : 0,
    largestDrop,
  };
}

/** Reset-safe increase of counter points; undefined with fewer than two. */
function increaseOf(points: readonly Point[]): number | undefined {
  if (points.length < 2) return undefined;
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const before = points[i - 1]!.value;
    const after = points[i]!.value;
    total += after >= before ? after - before : after;
  }
  return total;
}

/**
 * A counter's rate per second: the detector's rate window when the request carries one (its latest
 * point), else the increase across the scene's snapshots. undefined when neither is there (one snapshot).
 */
export function counterRate(scene: SceneView, name: string, match: Labels = {}): number | undefined {
  const windows = scene.series(name, match).filter((view) => isRateWindow(view.labels));
  const windowPoints = mergePoints(windows);
  if (windowPoints.length > 0) return windowPoints[windowPoints.length - 1]!.value;
  const points = gaugePoints(scene, name, match);
  const amount = increaseOf(points);
  if (amount === undefined) return undefined;
  const seconds = (points[points.length - 1]!.timestampMs - points[0]!.timestampMs) / 1000;
  return seconds > 0 ? amount / seconds : undefined;
}

/** Increase of a counter across the scene; undefined with fewer than two snapshots. */
export function counterIncrease(scene: SceneView, name: string, match: Labels = {}): number | undefined {
  return increaseOf(gaugePoints(scene, name, match));
}

/** The latest value of a gauge (snapshots or value window). */
export function latestGauge(scene: SceneView, name: string, match: Labels = {}): number | undefined {
  const points = gaugePoints(scene, name, match);
  return points[points.length - 1]?.value;
}

/** Paths as the collector labels cgroups and as the kernel prints them (`/vigil-oom` vs `vigil-oom`) compare equal. */
export function samePath(a: string, b: string): boolean {
  const norm = (path: string) => `/${path.replace(/^\/+|\/+$/g, '')}`;
  return norm(a) === norm(b);
}

export function cgroupAt(scene: SceneView, path: string): CgroupView | undefined {
  return scene.cgroups().find((cgroup) => samePath(cgroup.path, path));
}

/** A cgroup metric's points (`memory_working_set_bytes` → cgroup_memory_working_set_bytes{cgroup}), window included, rates left out. */
export function cgroupPoints(scene: SceneView, cgroup: Pick<CgroupView, 'path'>, metric: string): Point[] {
  return gaugePoints(scene, `cgroup_${metric}`, { cgroup: cgroup.path });
}

export function cgroupLatest(scene: SceneView, cgroup: Pick<CgroupView, 'path'>, metric: string): number | undefined {
  const points = cgroupPoints(scene, cgroup, metric);
  return points[points.length - 1]?.value;
}

/** A process's resident memory over time: anonymous RSS when the scene has it (a leak is anon), else total RSS. */
export function residentPoints(process: ProcessView): { metric: 'resident_anon_bytes' | 'rss_bytes'; points: Point[] } {
  const anon = process.metrics.get('resident_anon_bytes')?.points ?? [];
  const rss = process.metrics.get('rss_bytes')?.points ?? [];
  return anon.length >= rss.length && anon.length > 0 ? { metric: 'resident_anon_bytes', points: anon } : { metric: 'rss_bytes', points: rss };
}

/** `shop/cart-7d9f`, or undefined when the labels name no pod. */
export function podName(pod: PodRef | undefined): string | undefined {
  if (!pod?.pod) return undefined;
  return `${pod.namespace ? `${pod.namespace}/` : ''}${pod.pod}`;
}

/** `python3 (pid 4242)`, plus ` in pod shop/cart-7d9f` when the collector attributed it. */
export function processLabel(process: Pick<ProcessView, 'pid' | 'comm' | 'pod'>): string {
  const pod = podName(process.pod);
  return `${process.comm || '?'} (pid ${process.pid})${pod ? ` in pod ${pod}` : ''}`;
}

/** `pod shop/cart-7d9f (cgroup /kubepods/…)` or `cgroup /system.slice/x.service`. */
export function cgroupLabel(cgroup: Pick<CgroupView, 'path' | 'pod'>): string {
  const pod = podName(cgroup.pod);
  return pod ? `pod ${pod} (cgroup ${cgroup.path})` : `cgroup ${cgroup.path}`;
}

/** The processes of a cgroup (by the `cgroup` label of their samples). */
export function processesIn(scene: SceneView, cgroup: Pick<CgroupView, 'path'>): ProcessView[] {
  return scene.processes().filter((process) => process.cgroup !== undefined && samePath(process.cgroup, cgroup.path));
}

/** The container spec of the diagnosed pod: by name, else the only one. */
export function containerSpec(kubernetes: KubernetesContext | undefined, name?: string): ContainerSpecContext | undefined {
  const containers = kubernetes?.pod?.containers ?? [];
  return (name ? containers.find((c) => c.name === name) : undefined) ?? (containers.length === 1 ? containers[0] : undefined);
}

/** Container statuses that say the kernel OOM-killed the container, now or in its last run. */
export function oomKilledStatuses(kubernetes: KubernetesContext | undefined): ContainerStatusContext[] {
  return (kubernetes?.pod?.statuses ?? []).filter((s) => s.state.reason === 'OOMKilled' || s.lastState?.reason === 'OOMKilled');
}

const LIMIT_STEP_BYTES = 64 * MiB;
/** Headroom over the observed peak a suggested limit leaves. */
export const LIMIT_HEADROOM = 0.25;

/** A memory limit from an observed peak: peak × 1.25, rounded up to 64 MiB, and the sentence that says why. */
export function limitFromPeak(peakBytes: number): { bytes: number; mebibytes: number; why: string } {
  const bytes = Math.max(LIMIT_STEP_BYTES, Math.ceil((peakBytes * (1 + LIMIT_HEADROOM)) / LIMIT_STEP_BYTES) * LIMIT_STEP_BYTES);
  return {
    bytes,
    mebibytes: bytes / MiB,
    why: `the observed peak ${formatBytes(peakBytes)} plus ${LIMIT_HEADROOM * 100} % headroom for bursts, rounded up to 64 MiB`,
  };
}

/** The kubectl command that sets a container's memory limit on its owner (or edits the pod when it has none we know). */
export function setMemoryLimitCommand(pod: PodRef | undefined, kubernetes: KubernetesContext | undefined, mebibytes: number): string | null {
  const namespace = kubernetes?.pod?.namespace ?? pod?.namespace;
  const name = kubernetes?.pod?.name ?? pod?.pod;
  if (!namespace || !name) return null;
  const ownerKind = kubernetes?.pod?.ownerKind ?? pod?.ownerKind;
  const ownerName = kubernetes?.pod?.ownerName ?? pod?.ownerName;
  const container = pod?.container ?? (kubernetes?.pod?.containers.length === 1 ? kubernetes.pod.containers[0]!.name : undefined);
  const target = ownerKind && ownerName && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(ownerKind) ? `${ownerKind.toLowerCase()}/${ownerName}` : `pod/${name}`;
  return `kubectl -n ${namespace} set resources ${target}${container ? ` -c ${container}` : ''} --limits=memory=${mebibytes}Mi`;
}

/** 0.42 → `42 %`. */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)} %`;
}
