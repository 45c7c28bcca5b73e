/**
 * What the node, CPU, I/O, network and kernel rules ask of a scene beyond SceneView: counter
 * increases that survive a reset, rates summed over series, how to name a process, pod or cgroup.
 * Pure, like the rules.
 */
import { latest, type CgroupView, type PodRef, type ProcessView, type SceneView, type SeriesView } from '../core/scene-view.js';

/** Increase of a counter over the scene; a reset (value going down) counts from zero. undefined with fewer than two points. */
export function increase(series: SeriesView | undefined): number | undefined {
  if (!series || series.points.length < 2) return undefined;
  let total = 0;
  for (let i = 1; i < series.points.length; i++) {
    const before = series.points[i - 1]!.value;
    const after = series.points[i]!.value;
    total += after >= before ? after - before : after;
  }
  return total;
}

/** Seconds between a series' first and last points. */
export function seconds(series: SeriesView | undefined): number {
  if (!series || series.points.length < 2) return 0;
  return (series.points[series.points.length - 1]!.timestampMs - series.points[0]!.timestampMs) / 1000;
}

/** A counter's rate per second over the scene, reset-safe; undefined with fewer than two points. */
export function counterRate(series: SeriesView | undefined): number | undefined {
  const amount = increase(series);
  const span = seconds(series);
  return amount === undefined || span <= 0 ? undefined : amount / span;
}

/** Sum of the counter rates of every series of a metric matching `match`; undefined when none has a rate. */
export function summedRate(scene: SceneView, name: string, match: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const series of scene.series(name, match)) {
    const rate = counterRate(series);
    if (rate !== undefined) sum = (sum ?? 0) + rate;
  }
  return sum;
}

/** CPUs of the node, from the per-CPU series the collector publishes; undefined when the scene has none. */
export function cpuCount(scene: SceneView): number | undefined {
  const cpus = new Set<string>();
  for (const name of ['node_cpu_seconds_total', 'node_schedstat_running_seconds_total', 'node_schedstat_waiting_seconds_total']) {
    for (const series of scene.series(name)) if (series.labels.cpu !== undefined) cpus.add(series.labels.cpu);
    if (cpus.size > 0) return cpus.size;
  }
  return undefined;
}

/** Share of the node's CPU time that was not idle or iowait, 0..1; undefined without two node_cpu snapshots. */
export function nodeBusyRatio(scene: SceneView): number | undefined {
  let busy = 0;
  let all = 0;
  let seen = false;
  for (const series of scene.series('node_cpu_seconds_total')) {
    const rate = counterRate(series);
    if (rate === undefined) continue;
    seen = true;
    all += rate;
    if (series.labels.mode !== 'idle' && series.labels.mode !== 'iowait') busy += rate;
  }
  return seen && all > 0 ? busy / all : undefined;
}

/** `shop/cart-7d9f` (container `app`), or undefined when the labels name no pod. */
export function podName(pod: PodRef | undefined): string | undefined {
  if (!pod?.pod) return undefined;
  return `${pod.namespace ? `${pod.namespace}/` : ''}${pod.pod}`;
}

/** `pod shop/cart-7d9f (cgroup /kubepods/…)` or `cgroup /system.slice/x.service`. */
export function cgroupName(cgroup: Pick<CgroupView, 'path' | 'pod'>): string {
  const pod = podName(cgroup.pod);
  return pod ? `pod ${pod} (cgroup ${cgroup.path})` : `cgroup ${cgroup.path}`;
}

/** `python3 (pid 4242)` plus ` in pod shop/cart` when known: how these rules name a process. */
export function processLabel(process: Pick<ProcessView, 'pid' | 'comm' | 'pod'>): string {
  const pod = podName(process.pod);
  return `${process.comm || '?'} (pid ${process.pid})${pod ? ` in pod ${pod}` : ''}`;
}

/** Latest value of one of a process's metrics (`threads`, `cpu_usage_cores`, …). */
export function processMetric(process: ProcessView, metric: string): number | undefined {
  return latest(process.metrics.get(metric));
}

/** Latest value of one of a cgroup's metrics. */
export function cgroupMetric(cgroup: CgroupView, metric: string): number | undefined {
  return latest(cgroup.metrics.get(metric));
}

/** Processes belonging to a cgroup: same cgroup path, or (v1, where a process's label is its memory cgroup) the same pod and container. */
export function processesIn(scene: SceneView, cgroup: CgroupView): ProcessView[] {
  return scene.processes().filter((process) => {
    if (process.cgroup === cgroup.path) return true;
    if (process.cgroup && cgroup.path.length > 1 && process.cgroup.startsWith(`${cgroup.path}/`)) return true;
    const pod = cgroup.pod;
    return !!pod?.pod && process.pod?.pod === pod.pod && process.pod.namespace === pod.namespace && (!pod.container || process.pod.container === pod.container);
  });
}

/** Threads of a process at its latest snapshot (1 when the scene did not carry process_threads). */
export function threadsOf(process: ProcessView): number {
  return processMetric(process, 'threads') ?? 1;
}

/** Kernel threads: no resident anon/file memory reported and a kernel-style name. */
export function isKernelThread(process: Pick<ProcessView, 'comm' | 'metrics'>): boolean {
  return /^(kworker|ksoftirqd|kswapd|jbd2|kthreadd|rcu_|migration|writeback|flush-|khugepaged|kcompactd|irq\/)/.test(process.comm);
}

/** `2.35 cores`. */
export function formatCores(cores: number): string {
  return `${cores.toFixed(2)} cores`;
}

/** `87 %`. */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

/** The workload a `kubectl set resources` targets: a Deployment for a ReplicaSet's pods (name minus the pod-template hash). */
export function workloadRef(pod: { ownerKind?: string; ownerName?: string; name?: string; pod?: string } | undefined): string | undefined {
  if (!pod?.ownerKind || !pod.ownerName) return undefined;
  if (pod.ownerKind === 'ReplicaSet') {
    const deployment = /^(.+)-[a-z0-9]{5,10}$/.exec(pod.ownerName)?.[1];
    return deployment ? `deployment/${deployment}` : `replicaset/${pod.ownerName}`;
  }
  return `${pod.ownerKind.toLowerCase()}/${pod.ownerName}`;
}
