/**
 * The live detector core (services/detector/core/detector.ts) as the service runs it per
 * partition — rules, counters to rates, the engine scoring every judged series, the held band,
 * lifecycles, policy and scene — fed node-exporter-like scrapes of 200 samples per batch:
 *
 *  - replay of one node (one batch stream) and of 50 nodes (10,000 series) round robin, samples/s;
 *  - heap per live series of the whole live detector over 100,000 series (681 nodes of 147 series),
 *    next to the engine alone (100,000 engines in one pool, as the detector keeps them, each fed the same points), so
 *    what the detector adds around its engines shows; the floor is ≤ 1 KB per live series;
 *  - the snapshot a takeover restores: its size per series, the detector.state chunks it takes at
 *    the default VIGIL_DETECTOR_SNAPSHOT_CHUNK_BYTES, the time to take it and to restore it.
 *
 * The engine alone (what `vigil detect` runs per series) is bench/detector-engine.bench.ts.
 *
 * Rerun: node --expose-gc --import tsx bench/detector-core.bench.ts
 * Profile: node --cpu-prof --cpu-prof-dir=.vigil/profiles --import tsx bench/detector-core.bench.ts
 */
import type { MetricBatch, Sample } from '../src/codec/records.generated.js';
import { createDetector, restoreDetector, type Detector } from '../services/detector/core/detector.js';
import { detectorConfigSchema } from '../services/detector/detector.service.js';
import { EnginePool } from '../services/detector/engine/engine-pool.js';

const GiB = 1024 ** 3;
const STEP_MS = 15_000;
const START_MS = Date.UTC(2026, 0, 1);
const memoryGauges = ['MemFree', 'Buffers', 'Cached', 'SwapCached', 'Active', 'Inactive', 'Active_anon', 'Inactive_anon', 'Active_file',
  'Inactive_file', 'Unevictable', 'Mlocked', 'SwapTotal', 'SwapFree', 'Dirty', 'Writeback', 'AnonHugePages', 'Mapped', 'Shmem', 'KReclaimable',
  'Slab', 'SReclaimable', 'SUnreclaim', 'KernelStack', 'PageTables', 'CommitLimit', 'Committed_AS', 'VmallocTotal', 'VmallocUsed'];
const cpuModes = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
const vmstatCounters = ['pgfault', 'pgmajfault', 'pgpgin', 'pgpgout', 'pswpin', 'pswpout', 'pgscan_kswapd', 'pgscan_direct', 'pgsteal_kswapd',
  'pgsteal_direct', 'oom_kill', 'allocstall_normal', 'workingset_refault_anon', 'workingset_refault_file', 'compact_stall'];

/** One scrape of 200 samples of one node: meminfo, load, vmstat and per-CPU counters, with noise and a MemAvailable dip every 300 scrapes. */
function scrape(node: number, index: number): MetricBatch {
  const timestampMs = START_MS + index * STEP_MS;
  const seconds = timestampMs / 1000;
  const noise = (k: number): number => (((index * 7919 + node * 104_729 + k * 613) % 101) - 50) / 50;
  const inDip = index % 300 >= 200 && index % 300 < 206;
  const samples: Sample[] = [
    { name: 'node_memory_MemTotal_bytes', labels: {}, value: 64 * GiB },
    { name: 'node_memory_MemAvailable_bytes', labels: {}, value: 40 * GiB - (inDip ? 3 * GiB : 0) + noise(0) * 8 * 1024 ** 2 },
  ];
  for (const [i, name] of memoryGauges.entries()) samples.push({ name: `node_memory_${name}_bytes`, labels: {}, value: (i + 1) * 256 * 1024 ** 2 + noise(i) * 1024 ** 2 });
  for (const [i, name] of ['node_load1', 'node_load5', 'node_load15', 'node_procs_running', 'node_procs_blocked'].entries()) samples.push({ name, labels: {}, value: 2 + noise(40 + i) * 0.3 });
  for (const [i, name] of vmstatCounters.entries()) samples.push({ name: `node_vmstat_${name}`, labels: {}, value: 1e6 + (i + 1) * 10 * seconds + noise(60 + i) * 5 });
  for (let cpu = 0; samples.length < 200; cpu++) {
    for (const [i, mode] of cpuModes.entries()) {
      if (samples.length >= 200) break;
      samples.push({ name: 'node_cpu_seconds_total', labels: { cpu: String(cpu), mode }, value: 1e5 + (i + 1) * 0.1 * seconds + noise(80 + i) * 0.01 });
    }
  }
  return { id: `n${node}-${index}`, cluster: 'bench', node: `worker-${node}`, source: 'node_exporter', timestampMs, samples };
}

/** A container's gauges, as a healthy pod shows them (working set at 12 % of its limit, little pressure). */
const cgroupGauges: [string, number][] = [['cgroup_memory_usage_bytes', 300e6], ['cgroup_memory_working_set_bytes', 250e6], ['cgroup_memory_active_working_set_bytes', 200e6],
  ['cgroup_memory_limit_bytes', 2 * GiB], ['cgroup_cpu_quota_cores', 2], ['cgroup_pids_current', 40], ['cgroup_pids_limit', 4096],
  ['cgroup_pressure_memory_waiting_avg10_ratio', 0.01], ['cgroup_pressure_io_waiting_avg10_ratio', 0.02]];
/** A container's counters and how fast they grow per second (its events do not). */
const cgroupCounters: [string, number][] = [['cgroup_cpu_usage_seconds_total', 0.5], ['cgroup_cpu_periods_total', 10], ['cgroup_cpu_throttled_periods_total', 0.1],
  ['cgroup_cpu_throttled_seconds_total', 0.01], ['cgroup_io_read_bytes_total', 4096], ['cgroup_io_write_bytes_total', 8192], ['cgroup_memory_events_high_total', 0],
  ['cgroup_memory_events_max_total', 0], ['cgroup_memory_events_oom_total', 0], ['cgroup_memory_events_oom_kill_total', 0], ['cgroup_pids_events_max_total', 0]];
const hex = (n: number, length: number): string => (n * 2_654_435_761 >>> 0).toString(16).padStart(8, '0').repeat(Math.ceil(length / 8)).slice(0, length);

/**
 * One scrape of the cgroup source of a node running `containers` containers (two per pod), each
 * labelled as the collector labels a pod's container (a systemd-driver containerd cgroup path, pod
 * UID, namespace, pod, container): the names the collector publishes per cgroup, with pressure.
 */
function cgroupScrape(node: number, index: number, containers: number): MetricBatch {
  const timestampMs = START_MS + index * STEP_MS;
  const samples: Sample[] = [];
  for (let c = 0; c < containers; c++) {
    const pod = Math.floor(c / 2);
    const uid = `${hex(node * 1000 + pod, 8)}-${hex(pod + 1, 4)}-${hex(pod + 2, 4)}-${hex(pod + 3, 4)}-${hex(node + pod, 12)}`;
    const labels = {
      cgroup: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid.replaceAll('-', '_')}.slice/cri-containerd-${hex(node * 7919 + c, 64)}.scope`,
      container: c % 2 === 0 ? 'app' : 'sidecar', namespace: `team-${node % 7}`, pod: `web-${node}-${pod}-${hex(pod, 5)}`, pod_uid: uid,
    };
    const noise = ((index * 31 + c * 7) % 17) / 1_000;
    for (const [name, level] of cgroupGauges) samples.push({ name, labels, value: level * (1 + noise) });
    for (const [name, perSecond] of cgroupCounters) samples.push({ name, labels, value: 1e4 + perSecond * (index * STEP_MS / 1000 + noise) });
  }
  return { id: `c${node}-${index}`, cluster: 'bench', node: `worker-${node}`, source: 'cgroups', timestampMs, samples };
}

/** Precomputed batches, so the bench measures the detector. */
function stream(nodes: number, scrapes: number): MetricBatch[] {
  const out: MetricBatch[] = [];
  for (let index = 0; index < scrapes; index++) for (let node = 0; node < nodes; node++) out.push(scrape(node, index));
  return out;
}

function replay(detector: Detector, batches: MetricBatch[], from = 0): number {
  const started = process.hrtime.bigint();
  let samples = 0;
  for (let position = 0; position < batches.length; position++) {
    detector.process(batches[position]!, from + position);
    samples += batches[position]!.samples.length;
  }
  return samples / (Number(process.hrtime.bigint() - started) / 1e9);
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Throughput; its batches and detectors are garbage once it returns, before memory is measured. */
function throughput(): void {
  // One node: warm up (engines past their warm-up), then measure.
  const oneNode = stream(1, 4_000);
  const single = createDetector();
  replay(single, oneNode.slice(0, 1_000));
  console.log(`one node (${single.stats().series} series): ${format(replay(single, oneNode.slice(1_000), 1_000))} samples/s`);

  const fiftyNodes = stream(50, 200);
  const many = createDetector();
  replay(many, fiftyNodes.slice(0, 50 * 60));
  console.log(`50 nodes (${format(many.stats().series)} series) round robin: ${format(replay(many, fiftyNodes.slice(50 * 60), 50 * 60))} samples/s`);
}

throughput();

if ((globalThis as { gc?: () => void }).gc) {
  const nodes = Math.ceil(100_000 / 147);
  const scrapes = 40;
  let before = heapUsed();
  let pool: EnginePool | undefined = new EnginePool();
  const engines: number[] = [];
  for (let s = 0; s < 100_000; s++) engines.push(pool.allocate());
  for (let index = 0; index < scrapes; index++) for (const [s, engine] of engines.entries()) pool.push(engine, START_MS + index * STEP_MS, 1e9 + ((index * 7919 + s * 613) % 101));
  const enginePerSeries = (heapUsed() - before) / engines.length;
  // Read after the measurement, so the engines are not collected before it.
  if (engines.some((engine) => pool!.points(engine) !== scrapes)) throw new Error('an engine missed points');
  pool = undefined;
  before = heapUsed();
  const big = createDetector();
  for (let index = 0; index < scrapes; index++) for (let node = 0; node < nodes; node++) big.process(scrape(node, index), index * nodes + node);
  const series = big.stats().series;
  const perSeries = (heapUsed() - before) / series;
  console.log(`live state: ${format(perSeries)} bytes per live series, whole live detector, over ${format(series)} series (${nodes} nodes' scenes, rules cache and lifecycles included; heap + array buffers; floor ≤ 1,024)`);
  console.log(`            ${format(enginePerSeries)} bytes per series, engine alone, over 100,000 series (the detector adds ${format(perSeries - enginePerSeries)})`);
  // Pods' containers: series with long, unique label sets (threshold rules, no engine).
  before = heapUsed();
  const pods = createDetector();
  const containersPerNode = 60;
  const podNodes = Math.ceil(100_000 / (containersPerNode * 6));
  for (let index = 0; index < 20; index++) for (let node = 0; node < podNodes; node++) pods.process(cgroupScrape(node, index, containersPerNode), index * podNodes + node);
  const podSeries = pods.stats().series;
  console.log(`            ${format((heapUsed() - before) / podSeries)} bytes per live series of pods' containers, over ${format(podSeries)} series (${podNodes} nodes of ${containersPerNode} containers; ${format(pods.stats().openAnomalies)} anomalies open)`);
  let started = process.hrtime.bigint();
  const snapshot = big.snapshot();
  const takeMs = Number(process.hrtime.bigint() - started) / 1e6;
  started = process.hrtime.bigint();
  const restored = restoreDetector(snapshot);
  const restoreMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (restored.stats().series !== series) throw new Error('the restored detector lost series');
  const chunkBytes = detectorConfigSchema.shape.VIGIL_DETECTOR_SNAPSHOT_CHUNK_BYTES.parse(undefined);
  console.log(`snapshot: ${format(snapshot.length)} bytes (${format(snapshot.length / series)} per series; ${format(Math.ceil(snapshot.length / chunkBytes))} detector.state chunks of ≤ ${format(chunkBytes)} bytes), taken in ${format(takeMs)} ms, restored in ${format(restoreMs)} ms`);
} else {
  console.log('live state and snapshot: run with node --expose-gc --import tsx');
}
console.log('rerun: node --expose-gc --import tsx bench/detector-core.bench.ts');
