/**
 * Deterministic metrics.raw batches of one node, shaped like the collector's (names and units of
 * node_exporter): meminfo of a 24 GiB machine, vmstat counters, per-CPU time counters, pressure and
 * a top-process table. Tests script MemAvailable and CPU load per point; the rest is quiet noise.
 */
import { deterministicId } from '../../../../src/codec/ids.js';
import type { MetricBatch, Sample } from '../../../../src/codec/records.generated.js';

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

export interface NodeScript {
  cluster?: string;
  node: string;
  points: number;
  startMs?: number;
  stepMs?: number;
  memTotalBytes?: number;
  /** MemAvailable at a point, before noise; default 18 GiB. */
  availableBytes?: (point: number) => number;
  /** Peak-to-peak MemAvailable noise; default 8 MiB (an idle machine). */
  availableNoiseBytes?: number;
  /** Busy share of each CPU at a point; default about 12 %. */
  cpuBusy?: (point: number) => number;
  /** The vmstat counters restart from 0 at this point (a reboot). */
  vmstatResetAt?: number;
  /** Which sources, in scrape order; default all five. */
  sources?: readonly string[];
  /** Extra meminfo fields present only in [from, to). */
  transientField?: { name: string; from: number; to: number };
}

const allSources = ['proc.meminfo', 'proc.vmstat', 'proc.stat', 'proc.pressure', 'proc.processes'] as const;

/** mulberry32: a small seeded PRNG, so every run sees the same noise. */
function random(seedText: string): () => number {
  let seed = 0;
  for (const char of seedText) seed = (Math.imul(seed, 31) + char.charCodeAt(0)) | 0;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function nodeBatches(script: NodeScript): MetricBatch[] {
  const cluster = script.cluster ?? 'prod-eu';
  const startMs = script.startMs ?? Date.UTC(2026, 10, 24, 7, 0, 0);
  const stepMs = script.stepMs ?? 15_000;
  const total = script.memTotalBytes ?? 24 * GiB;
  const noise = random(script.node);
  const sources = script.sources ?? allSources;
  const counters = { pgfault: 9_100_000, pgmajfault: 4_100, pswpin: 0, pgscan_direct: 0, oom_kill: 0 };
  const cpuSeconds = [0, 1, 2, 3].map(() => ({ user: 51_000, system: 12_000, iowait: 800, idle: 880_000 }));
  let pressureWaiting = 31.5;
  let javaCpuSeconds = 18_000;
  const batches: MetricBatch[] = [];

  for (let point = 0; point < script.points; point++) {
    const timestampMs = startMs + point * stepMs;
    const stepSeconds = stepMs / 1000;
    const available = (script.availableBytes?.(point) ?? 18 * GiB) + Math.round((noise() - 0.5) * (script.availableNoiseBytes ?? 8 * MiB));
    const busy = script.cpuBusy?.(point) ?? 0.12;
    if (point === script.vmstatResetAt) for (const key of Object.keys(counters) as (keyof typeof counters)[]) counters[key] = 0;
    counters.pgfault += Math.round((2_000 + noise() * 200) * stepSeconds);
    counters.pgmajfault += Math.round(noise() * 0.4 * stepSeconds);
    for (const cpu of cpuSeconds) {
      const cpuBusy = Math.min(1, Math.max(0, busy + (noise() - 0.5) * 0.04));
      cpu.user += cpuBusy * 0.8 * stepSeconds;
      cpu.system += cpuBusy * 0.2 * stepSeconds;
      cpu.iowait += 0.002 * stepSeconds;
      cpu.idle += (1 - cpuBusy - 0.002) * stepSeconds;
    }
    pressureWaiting += 0.01 * noise() * stepSeconds;
    javaCpuSeconds += busy * stepSeconds;
    const javaRss = 6 * GiB + Math.max(0, 18 * GiB - available);

    const samplesOf: Record<string, () => Sample[]> = {
      'proc.meminfo': () => {
        const samples = [
          gauge('node_memory_MemTotal_bytes', total),
          gauge('node_memory_MemFree_bytes', available - 4 * GiB),
          gauge('node_memory_MemAvailable_bytes', available),
          gauge('node_memory_Buffers_bytes', 210 * MiB),
          gauge('node_memory_Cached_bytes', 4 * GiB + Math.round(noise() * 4 * MiB)),
          gauge('node_memory_SwapTotal_bytes', 0),
          gauge('node_memory_Slab_bytes', 410 * MiB + Math.round(noise() * MiB)),
          gauge('node_memory_HugePages_Total', 0),
        ];
        const field = script.transientField;
        if (field && point >= field.from && point < field.to) samples.push(gauge(field.name, 1 * GiB + Math.round(noise() * MiB)));
        return samples;
      },
      'proc.vmstat': () => [
        ...Object.entries(counters).map(([field, value]) => gauge(`node_vmstat_${field}`, value)),
        gauge('node_vmstat_nr_free_pages', Math.round((available - 4 * GiB) / 4096)),
      ],
      'proc.stat': () => [
        ...cpuSeconds.flatMap((cpu, index) => Object.entries(cpu).map(([mode, seconds]) => ({ name: 'node_cpu_seconds_total', labels: { cpu: String(index), mode }, value: seconds }))),
        gauge('node_context_switches_total', 7_700_000 + point * 4_000 * stepSeconds),
        gauge('node_procs_running', 2),
      ],
      'proc.pressure': () => [
        gauge('node_pressure_memory_waiting_seconds_total', pressureWaiting),
        gauge('node_pressure_memory_waiting_avg10_ratio', 0),
      ],
      'proc.processes': () => [
        ...process('1201', 'java', javaRss, javaCpuSeconds, busy * 4),
        ...process('877', 'postgres', 1536 * MiB, 4_000, 0.05),
        ...process('1', 'systemd', 12 * MiB, 120, 0),
      ],
    };
    for (const source of sources) {
      batches.push({ id: deterministicId(cluster, script.node, source, timestampMs), cluster, node: script.node, source, timestampMs, samples: samplesOf[source]!() });
    }
  }
  return batches;
}

function gauge(name: string, value: number): Sample {
  return { name, labels: {}, value };
}

function process(pid: string, comm: string, rssBytes: number, cpuSeconds: number, usageCores: number): Sample[] {
  const labels = { pid, comm, state: 'S' };
  return [
    { name: 'process_rss_bytes', labels, value: rssBytes },
    { name: 'process_cpu_seconds_total', labels, value: cpuSeconds },
    { name: 'process_cpu_usage_cores', labels, value: usageCores },
  ];
}

/** Merges the batches of several nodes by time (stable), as one partition would carry them. */
export function interleave(...streams: MetricBatch[][]): MetricBatch[] {
  return streams
    .flatMap((stream, streamIndex) => stream.map((batch, index) => ({ batch, streamIndex, index })))
    .sort((a, b) => a.batch.timestampMs - b.batch.timestampMs || a.streamIndex - b.streamIndex || a.index - b.index)
    .map(({ batch }) => batch);
}
