/**
 * Latency and memory of the scorer's health model (services/scorer/core/health-model.ts) at the
 * size of a large fleet: 10,000 nodes × 30 pods in 10 clusters. Targets: < 1 ms per record at p99,
 * < 500 MB of heap after a full GC.
 *
 * The stream: first every pod and node is seen once (an INFO anomaly that opens and resolves), so
 * all 310,010 entities are known; then a realistic mix in event time (10 ms apart): anomalies on
 * pods and nodes that open, escalate, refresh and resolve (about 20,000 open at a time, a fifth of
 * them CRITICAL), cluster-wide anomalies, and diagnosis reports on nodes and pods. The stream runs
 * for more than the 30 minutes after which quiet entities expire, so expiry is part of the cost.
 * The warm-up spreads over 30 minutes of event time. Records are generated outside the timed
 * call; the time is one onAnomaly / onReport call.
 *
 * Rerun: node --expose-gc --import tsx bench/scorer.bench.ts [records]
 */
import type { Anomaly, AnomalyKind, DiagnosisReport, Entity, Severity } from '../src/codec/records.generated.js';
import { createHealthModel } from '../services/scorer/core/health-model.js';

const clusters = 10;
const nodesPerCluster = 1_000;
const podsPerNode = 30;
const nodeCount = clusters * nodesPerCluster;
const measuredRecords = Number(process.argv[2] ?? 600_000);
const targetOpen = 20_000;
const stepMs = 10;
const T0 = Date.UTC(2026, 10, 25, 0, 0, 0);

/** Deterministic randomness (xorshift), so every run replays the same stream. */
let seed = 0x2545f491;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
}
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

const podMetrics = ['cgroup_memory_working_set_bytes', 'cgroup_cpu_throttled_periods_total', 'cgroup_io_write_bytes_total', 'kube_pod_container_status_restarts_total', 'cgroup_memory_events_oom_kill_total', 'cgroup_pids_current', 'process_rss_bytes'];
const nodeMetrics = ['node_memory_MemAvailable_bytes', 'node_load1', 'node_disk_io_time_seconds_total', 'node_filesystem_avail_bytes', 'node_netstat_Tcp_RetransSegs', 'kernel_oom_kill', 'kernel_hung_task', 'kube_node_status_condition', 'node_nf_conntrack_entries'];
const kinds: AnomalyKind[] = ['SPIKE', 'LEVEL_SHIFT', 'TREND', 'THRESHOLD', 'HIGH_WATERMARK', 'EVENT'];
const causes = [['MEMORY_LEAK_PROCESS', 'MEMORY'], ['OOM_LIMIT_TOO_LOW', 'OOM'], ['CPU_LIMIT_TOO_LOW', 'CPU_THROTTLE'], ['DIRTY_WRITEBACK_BURST', 'IO'], ['TCP_RETRANSMIT_DROPS', 'NETWORK'], ['DISK_NEARLY_FULL', 'DISK']] as const;

const clusterName = (c: number) => `cluster-${c}`;
const nodeName = (n: number) => `node-${String(n).padStart(5, '0')}`;
function entityOf(node: number, pod: number | undefined): Entity {
  const cluster = clusterName(node % clusters);
  if (node < 0) return { cluster: clusterName(-node - 1), node: null, namespace: null, pod: null, container: null };
  if (pod === undefined) return { cluster, node: nodeName(node), namespace: null, pod: null, container: null };
  return { cluster, node: nodeName(node), namespace: `team-${pod % 6}`, pod: `app-${pod}-${(node * 7919 + pod).toString(36)}`, container: pod % 3 === 0 ? 'app' : null };
}

interface OpenAnomaly {
  id: string;
  entity: Entity;
  metric: string;
  kind: AnomalyKind;
  severity: Severity;
  openedAtMs: number;
}

function anomalyStep(open: OpenAnomaly, state: Anomaly['state'], atMs: number): Anomaly {
  return {
    eventId: `${open.id}:${atMs}`, id: open.id, entity: open.entity, metric: open.metric, series: `${open.metric}{}`, labels: {},
    kind: open.kind, state, severity: open.severity, score: 3 + random() * 5, value: random() * 1e9, expectedLow: 1e8, expectedHigh: 5e8,
    models: ['robust-zscore'], openedAtMs: open.openedAtMs, observedAtMs: atMs, resolvedAtMs: state === 'RESOLVED' ? atMs : null,
  };
}

function severity(): Severity {
  const r = random();
  return r < 0.3 ? 'INFO' : r < 0.8 ? 'WARNING' : 'CRITICAL';
}

let anomalyCounter = 0;
function newAnomaly(atMs: number): OpenAnomaly {
  const r = random();
  const node = Math.floor(random() * nodeCount);
  const where = r < 0.7 ? entityOf(node, Math.floor(random() * podsPerNode)) : r < 0.995 ? entityOf(node, undefined) : entityOf(-1 - Math.floor(random() * clusters), undefined);
  const metric = where.pod ? pick(podMetrics) : where.node ? pick(nodeMetrics) : 'apiserver_request_duration_seconds';
  return { id: `a${anomalyCounter++}`, entity: where, metric, kind: pick(kinds), severity: severity(), openedAtMs: atMs };
}

let reportCounter = 0;
function newReport(atMs: number): DiagnosisReport {
  const node = Math.floor(random() * nodeCount);
  const [code, scenario] = pick(causes);
  return {
    id: `r${reportCounter++}`, requestId: `q${reportCounter}`, anomalyIds: [], entity: random() < 0.5 ? entityOf(node, Math.floor(random() * podsPerNode)) : entityOf(node, undefined),
    scenario, rootCause: { code, summary: `${code.toLowerCase()} on the node` }, evidence: [], suggestions: [], confidence: 0.5 + random() / 2,
    severity: severity(), kubernetes: {}, createdAtMs: atMs, findings: [], missingEvidence: [],
  };
}

const model = createHealthModel();
let nowMs = T0;

// Seen once: every pod and node opens and resolves an INFO anomaly.
const warmStarted = performance.now();
for (let node = 0; node < nodeCount; node++) {
  for (let pod = -1; pod < podsPerNode; pod++) {
    const open: OpenAnomaly = { ...newAnomaly(nowMs), entity: entityOf(node, pod < 0 ? undefined : pod), severity: 'INFO' };
    model.onAnomaly(anomalyStep(open, 'OPEN', nowMs));
    model.onAnomaly(anomalyStep(open, 'RESOLVED', nowMs + 1));
  }
  // Spread over 30 minutes of event time, so entities later expire spread out too, as in a fleet.
  nowMs += 180;
}
const warmMs = performance.now() - warmStarted;
const warmStats = model.stats();
const gc = (globalThis as { gc?: () => void }).gc;
/** Heap in use after two full collections (the model is live, everything else is garbage). */
function heapAfterGcMb(): number | undefined {
  if (!gc) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
const warmHeapMb = heapAfterGcMb();

// The measured stream.
const open: OpenAnomaly[] = [];
const latencyNs = new Float64Array(measuredRecords);
let updates = 0;
const counts = { open: 0, update: 0, resolve: 0, report: 0 };
for (let i = 0; i < measuredRecords; i++) {
  nowMs += stepMs;
  const r = random();
  let call: () => unknown[];
  if (r < 0.08) {
    const report = newReport(nowMs);
    counts.report++;
    call = () => model.onReport(report);
  } else {
    const choice = random();
    const openShare = open.length < targetOpen ? 0.45 : 0.2;
    if (open.length === 0 || choice < openShare) {
      const anomaly = newAnomaly(nowMs);
      open.push(anomaly);
      const step = anomalyStep(anomaly, 'OPEN', nowMs);
      counts.open++;
      call = () => model.onAnomaly(step);
    } else {
      const index = Math.floor(random() * open.length);
      const anomaly = open[index]!;
      if (choice < openShare + 0.4) {
        if (random() < 0.3) anomaly.severity = severity();
        const step = anomalyStep(anomaly, 'UPDATE', nowMs);
        counts.update++;
        call = () => model.onAnomaly(step);
      } else {
        open[index] = open[open.length - 1]!;
        open.pop();
        const step = anomalyStep(anomaly, 'RESOLVED', nowMs);
        counts.resolve++;
        call = () => model.onAnomaly(step);
      }
    }
  }
  const started = process.hrtime.bigint();
  const out = call();
  latencyNs[i] = Number(process.hrtime.bigint() - started);
  updates += out.length;
}

const sorted = latencyNs.slice().sort();
const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! / 1e6;
const total = latencyNs.reduce((sum, value) => sum + value, 0) / 1e6;

const queryStarted = performance.now();
const worst = model.worst('NODE', 20);
const queryMs = performance.now() - queryStarted;

const endHeapMb = heapAfterGcMb();
const stats = model.stats();

const ms = (value: number) => `${value.toFixed(3)} ms`;
console.log(`fleet:            ${clusters} clusters × ${nodesPerCluster} nodes × ${podsPerNode} pods; warm-up (every entity seen once) ${(warmMs / 1000).toFixed(1)} s, ${warmStats.entities.POD + warmStats.entities.NODE + warmStats.entities.CLUSTER} entities`);
console.log(`stream:           ${measuredRecords.toLocaleString('en')} records over ${((measuredRecords * stepMs) / 60_000).toFixed(0)} min of event time (${counts.open} OPEN, ${counts.update} UPDATE, ${counts.resolve} RESOLVED, ${counts.report} reports) → ${updates.toLocaleString('en')} health updates`);
console.log(`latency / record: p50 ${ms(percentile(50))}, p99 ${ms(percentile(99))} (target < 1 ms), p99.9 ${ms(percentile(99.9))}, max ${ms(sorted[sorted.length - 1]! / 1e6)}; ${(measuredRecords / (total / 1000)).toFixed(0)} records/s in the model`);
console.log(`state at the end: ${stats.entities.CLUSTER} clusters, ${stats.entities.NODE} nodes, ${stats.entities.POD} pods, ${stats.openAnomalies} open anomalies, ${stats.liveReports} live reports, ${stats.pendingTimers} timers`);
console.log(`worst 20 nodes:   ${ms(queryMs)} (worst ${worst[0]?.entity.node} ${worst[0]?.score})`);
if (warmHeapMb !== undefined && endHeapMb !== undefined) console.log(`heap after GC:    ${warmHeapMb.toFixed(0)} MB with all ${warmStats.entities.POD + warmStats.entities.NODE + warmStats.entities.CLUSTER} entities live (target < 500 MB); ${endHeapMb.toFixed(0)} MB at the end`);
else console.log('heap after GC:    run with node --expose-gc --import tsx to measure');
console.log('rerun: node --expose-gc --import tsx bench/scorer.bench.ts [records]');
