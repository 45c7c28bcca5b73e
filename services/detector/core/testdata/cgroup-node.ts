/**
 * metrics.raw batches of one node with one pod's container, made by the collector's own sample
 * builders (services/collector/core/cgroup/samples.ts), so names and labels are what the cgroup
 * source publishes: cgroup.memory, cgroup.cpu and cgroup.pressure per cycle, plus proc.pressure and
 * a process table whose java process sits in the container's cgroup. Tests script the working set
 * share of the limit per point.
 */
import { cpuSamples, memorySamples, pressureSamples } from '../../../collector/core/cgroup/samples.js';
import { deterministicId } from '../../../../src/codec/ids.js';
import type { MetricBatch, Sample } from '../../../../src/codec/records.generated.js';

export const MiB = 1024 ** 2;
export const containerCgroup = '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice/cri-containerd-3f2a9c1e8b7d4f6a5e0c9b8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e.scope';
export const podLabels = {
  pod_uid: '7a96c459-d529-44ae-9f99-90d3798d6426',
  container_id: '3f2a9c1e8b7d4f6a5e0c9b8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e',
  namespace: 'shop',
  pod: 'checkout-7d9f8b6c5-x2x9q',
  container: 'app',
  owner_kind: 'ReplicaSet',
  owner_name: 'checkout-7d9f8b6c5',
};

export interface CgroupScript {
  node: string;
  points: number;
  startMs?: number;
  stepMs?: number;
  limitBytes?: number;
  /** Working set / limit at a point; default 0.6. */
  workingSetShare?: (point: number) => number;
  /** Throttled share of CFS periods at a point; default 0.02. */
  throttledShare?: (point: number) => number;
}

export function cgroupNodeBatches(script: CgroupScript): MetricBatch[] {
  const startMs = script.startMs ?? Date.UTC(2026, 10, 24, 9, 0, 0);
  const stepMs = script.stepMs ?? 10_000;
  const limit = script.limitBytes ?? 2048 * MiB;
  const labels = Object.freeze({ ...podLabels, cgroup: containerCgroup });
  const batches: MetricBatch[] = [];
  let periods = 120_000;
  let throttled = 900;
  let usageSeconds = 51_000;
  for (let point = 0; point < script.points; point++) {
    const timestampMs = startMs + point * stepMs;
    const workingSet = Math.round((script.workingSetShare?.(point) ?? 0.6) * limit);
    const inactiveFile = 64 * MiB;
    const cyclePeriods = stepMs / 100; // 100 ms CFS periods
    periods += cyclePeriods;
    throttled += Math.round(cyclePeriods * (script.throttledShare?.(point) ?? 0.02));
    usageSeconds += 1.5 * (stepMs / 1000);
    const memory: Sample[] = [];
    memorySamples({
      usageBytes: workingSet + inactiveFile,
      limitBytes: limit,
      stat: new Map([['anon', workingSet - 32 * MiB], ['file', 96 * MiB], ['active_file', 32 * MiB], ['inactive_file', inactiveFile], ['inactive_anon', 0], ['active_anon', workingSet - 64 * MiB], ['pgmajfault', 12]]),
      events: { high: 0, max: 0, oom: 0, oomKill: 0 },
    }, labels, memory);
    const cpu: Sample[] = [];
    cpuSamples({ usageSeconds, periods, throttledPeriods: throttled, throttledSeconds: throttled * 0.05, quotaCores: 2 }, labels, cpu);
    const pressure: Sample[] = [];
    pressureSamples('memory', { some: { seconds: 12 + point * 0.01, avg10Ratio: 0.01 }, full: { seconds: 4, avg10Ratio: 0 } }, labels, pressure);
    const batch = (source: string, samples: Sample[]): MetricBatch => ({ id: deterministicId('prod-eu', script.node, source, timestampMs), cluster: 'prod-eu', node: script.node, source, timestampMs, samples });
    batches.push(
      batch('cgroup.memory', memory),
      batch('cgroup.cpu', cpu),
      batch('cgroup.pressure', pressure),
      batch('proc.pressure', [
        { name: 'node_pressure_memory_waiting_avg10_ratio', labels: {}, value: 0.01 },
        { name: 'node_pressure_memory_waiting_seconds_total', labels: {}, value: 31 + point * 0.01 },
      ]),
      batch('proc.processes', [
        { name: 'process_rss_bytes', labels: { ...podLabels, pid: '4242', comm: 'java', state: 'S', cgroup: containerCgroup }, value: workingSet - 40 * MiB },
        { name: 'process_cpu_usage_cores', labels: { ...podLabels, pid: '4242', comm: 'java', state: 'S', cgroup: containerCgroup }, value: 1.5 },
        { name: 'process_rss_bytes', labels: { pid: '1', comm: 'systemd', state: 'S', cgroup: '/init.scope' }, value: 12 * MiB },
      ]),
    );
  }
  return batches;
}
