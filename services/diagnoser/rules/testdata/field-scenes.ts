/**
 * Scenes for the node, CPU, I/O, network, kernel and Kubernetes rules, shaped exactly like the
 * collector's samples. Where a real capture exists the samples come from the collector's own
 * parsers run on it (CFS throttling, the pids fork storm, a hung-task kernel log); the rest are
 * recorded-style scenes with the numbers written inline and explained.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DiagnosisRequest, Sample, SceneSample, Scenario } from '../../../../src/codec/records.generated.js';
import { buildEvidence, type Evidence } from '../../core/evidence.js';
import type { KubernetesContext } from '../../core/kubernetes-context.js';
import { parseCfsQuota, parseCpuStat } from '../../../collector/core/cgroup/cpu.js';
import { cpuSamples, pidsSamples } from '../../../collector/core/cgroup/samples.js';
import { parsePidsEventsMax, parsePidsMax } from '../../../collector/core/cgroup/pids.js';
import { problemList } from '../../../collector/core/problems.js';
import { kernelEventsOf } from '../../../collector/kernel/kernel-events.js';
import { kernelEventSamples, zeroEventCounts } from '../../../collector/kernel/kernel-samples.js';
import { parseDmesg } from '../../../collector/kernel/parse-dmesg.js';

export const T0 = Date.UTC(2026, 10, 24, 7, 2, 0);
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const fixtures = fileURLToPath(new URL('../../../../test/fixtures/', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));
export const readFixture = (path: string) => readFileSync(fixtures + path, 'utf8');
export const readTestdata = (path: string) => readFileSync(here + path, 'utf8');

export function at(timestampMs: number, name: string, value: number, labels: Record<string, string> = {}): SceneSample {
  return { name, labels, value, timestampMs };
}

/** Collector samples read at one time, as a scene carries them. */
export function stamped(samples: readonly Sample[], timestampMs: number): SceneSample[] {
  return samples.map((sample) => ({ name: sample.name, labels: { ...sample.labels }, value: sample.value, timestampMs }));
}

export function evidenceOf(scene: SceneSample[], scenario: Scenario = 'LOAD', kubernetes?: KubernetesContext): Evidence {
  const request: DiagnosisRequest = {
    id: `request-${scenario}`,
    anomalyIds: ['anomaly-1'],
    entity: { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null },
    scenario,
    metric: 'node_load1',
    requestedAtMs: T0 + 60_000,
    scene,
  };
  return buildEvidence(request, kubernetes);
}

/** Per-process samples the collector publishes for one process at one time. */
export function processSamples(
  timestampMs: number,
  p: { pid: number; comm: string; state: string; cgroup?: string; ppid?: number; threads?: number; cpuCores?: number; runDelay?: number; readBps?: number; writeBps?: number; rssBytes?: number; pod?: Record<string, string> },
): SceneSample[] {
  const labels = { pid: String(p.pid), comm: p.comm, state: p.state, cgroup: p.cgroup ?? '/', ...(p.pod ?? {}) };
  const out = [at(timestampMs, 'process_rss_bytes', p.rssBytes ?? 8 * MiB, labels), at(timestampMs, 'process_threads', p.threads ?? 1, labels)];
  if (p.cpuCores !== undefined) out.push(at(timestampMs, 'process_cpu_usage_cores', p.cpuCores, labels));
  if (p.runDelay !== undefined) out.push(at(timestampMs, 'process_run_delay_ratio', p.runDelay, labels));
  if (p.readBps !== undefined) out.push(at(timestampMs, 'process_io_read_bytes_per_second', p.readBps, labels));
  if (p.writeBps !== undefined) out.push(at(timestampMs, 'process_io_write_bytes_per_second', p.writeBps, labels));
  if (p.ppid !== undefined) out.push(at(timestampMs, 'process_info', 1, { ...labels, cmdline: p.comm, ppid: String(p.ppid) }));
  return out;
}

/** Per-CPU node_cpu_seconds_total at two times: `busy` of each CPU's seconds went to user, the rest to idle. */
export function nodeCpu(cpus: number, busy: number, startMs: number, endMs: number): SceneSample[] {
  const seconds = (endMs - startMs) / 1000;
  const out: SceneSample[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    for (const [mode, share] of [['user', busy], ['idle', 1 - busy]] as const) {
      out.push(at(startMs, 'node_cpu_seconds_total', 10_000, { cpu: String(cpu), mode }), at(endMs, 'node_cpu_seconds_total', 10_000 + share * seconds, { cpu: String(cpu), mode }));
    }
  }
  return out;
}

/**
 * captured/throttle (captured/README.md; recorded by shared/data/kernel/record.sh on a 6.18 kernel): two busy
 * loops in cpu cgroup `vigil-throttle` with cfs_quota_us 20000 / cfs_period_us 100000. cpu.stat was
 * read before (nr_periods 1), 2.5 s in (26, 25 throttled) and after the 5 s run (52, 51 throttled,
 * throttled_time 9116384459 ns); the collector's parsers turn each into cgroup_cpu_* samples. The
 * four tasks are the ones cgroup-mid/tasks lists: 1311 and 1312 the `timeout` wrappers (sleeping),
 * 1314 and 1315 the `sh` busy loops (runnable). node_load1 is loadavg-mid (0.25: the 1-minute average
 * had barely started to rise).
 */
export function throttleScene(): SceneSample[] {
  const dir = 'captured/throttle/';
  const labels = { cgroup: '/vigil-throttle' };
  const scene: SceneSample[] = [];
  for (const [snapshot, offsetMs] of [['cgroup-before', 0], ['cgroup-mid', 2_500], ['cgroup-after', 5_000]] as const) {
    const problems = problemList();
    const cpu = parseCpuStat(readTestdata(`${dir}${snapshot}/cpu.stat`), problems);
    const quotaCores = parseCfsQuota(readTestdata(`${dir}${snapshot}/cpu.cfs_quota_us`), readTestdata(`${dir}${snapshot}/cpu.cfs_period_us`), problems);
    const samples: Sample[] = [];
    cpuSamples({ ...cpu, quotaCores }, labels, samples);
    scene.push(...stamped(samples, T0 + offsetMs));
  }
  for (const offsetMs of [2_500, 5_000]) {
    scene.push(
      ...processSamples(T0 + offsetMs, { pid: 1311, comm: 'timeout', state: 'S', cgroup: '/vigil-throttle' }),
      ...processSamples(T0 + offsetMs, { pid: 1312, comm: 'timeout', state: 'S', cgroup: '/vigil-throttle' }),
      ...processSamples(T0 + offsetMs, { pid: 1314, comm: 'sh', state: 'R', cgroup: '/vigil-throttle', cpuCores: 0.1 }),
      ...processSamples(T0 + offsetMs, { pid: 1315, comm: 'sh', state: 'R', cgroup: '/vigil-throttle', cpuCores: 0.1 }),
    );
  }
  scene.push(at(T0 + 2_500, 'node_load1', Number(readTestdata(`${dir}loadavg-mid`).split(' ')[0])));
  return scene;
}

/**
 * captured/pids (captured/README.md, record.sh): a shell in pids cgroup `vigil-pids` (pids.max 30) forking 60
 * `sleep 3` children; after the storm pids.current is 29 and pids.events says `max 1` (one refused
 * fork, the shell's "Cannot fork"). The processes are the 29 tasks cgroup-after/tasks lists: 1375
 * the shell, 1376–1403 its sleepers (ppid 1375).
 */
export function pidsScene(): SceneSample[] {
  const dir = 'captured/pids/cgroup-after/';
  const problems = problemList();
  const samples: Sample[] = [];
  pidsSamples(
    {
      current: Number(readTestdata(`${dir}pids.current`).trim()),
      limit: parsePidsMax(readTestdata(`${dir}pids.max`), problems),
      maxEvents: parsePidsEventsMax(readTestdata(`${dir}pids.events`), problems),
    },
    { cgroup: '/vigil-pids' },
    samples,
  );
  const scene = stamped(samples, T0);
  const tasks = readTestdata(`${dir}tasks`).trim().split('\n').map(Number);
  const [shell, ...sleepers] = tasks;
  scene.push(...processSamples(T0, { pid: shell!, comm: 'sh', state: 'S', cgroup: '/vigil-pids', ppid: 1 }));
  for (const pid of sleepers) scene.push(...processSamples(T0, { pid, comm: 'sleep', state: 'S', cgroup: '/vigil-pids', ppid: shell! }));
  return scene;
}

/**
 * node-problem-detector's `docker_hung` kernel log (Debian 3.16: `INFO: task docker:20744 blocked
 * for more than 120 seconds.`) through the collector's dmesg parser and event samples, with the
 * docker process still in D state in the process table.
 */
export function hungTaskScene(): SceneSample[] {
  const events = kernelEventsOf(parseDmesg(readFixture('kmsg/node-problem-detector/problems/docker_hung')), problemList());
  const counts = zeroEventCounts();
  for (const event of events) counts[event.kind]++;
  return [
    ...stamped(kernelEventSamples(events, counts), T0),
    ...processSamples(T0, { pid: 20744, comm: 'docker', state: 'D', threads: 12 }),
    ...processSamples(T0 + 5_000, { pid: 20744, comm: 'docker', state: 'D', threads: 12 }),
  ];
}

/** The quiet machine recorded by record-healthy-scene.ts (healthy/README.md). */
export function healthyScene(): SceneSample[] {
  return JSON.parse(readTestdata('healthy/this-machine.scene.json')) as SceneSample[];
}

/**
 * holmesgpt's `kubectl describe` of a pod restarting after OOMKilled (k8s/README.md), transcribed
 * into what the diagnoser's adapter reads from the API.
 */
export function crashloopOomContext(): KubernetesContext {
  return {
    pod: {
      namespace: 'default',
      name: 'analytics-exporter-fast-76897854c-cw5wh',
      uid: 'a954616f-1e09-4496-be7b-9d5322d99875',
      ownerKind: 'ReplicaSet',
      ownerName: 'analytics-exporter-fast-76897854c',
      qosClass: 'Burstable',
      phase: 'Running',
      containers: [
        {
          name: 'memory-eater',
          requests: { memory: '100Mi' },
          limits: { memory: '100Mi' },
          memoryRequestBytes: 100 * MiB,
          memoryLimitBytes: 100 * MiB,
          commandLine: '80Mi 0 100Mi 10 1',
          env: [],
        },
      ],
      statuses: [
        {
          name: 'memory-eater',
          restartCount: 6,
          state: { kind: 'waiting', reason: 'CrashLoopBackOff' },
          lastState: { kind: 'terminated', reason: 'OOMKilled', exitCode: 137, finishedAtMs: Date.parse('2025-02-27T07:36:22+01:00') },
        },
      ],
    },
    events: [
      {
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container memory-eater in pod analytics-exporter-fast-76897854c-cw5wh_default(a954616f-1e09-4496-be7b-9d5322d99875)',
        count: 23,
        object: 'Pod/analytics-exporter-fast-76897854c-cw5wh',
      },
    ],
    missing: [],
  };
}

/** The real k3d node of the troubleshoot support bundle, its conditions as recorded. */
export function k3dNode(): NonNullable<KubernetesContext['node']> {
  const list = JSON.parse(readFixture('k8s/troubleshoot/support-bundle/cluster-resources/nodes.json')) as {
    items: { metadata: { name: string }; status: { conditions: { type: string; status: string; reason?: string; message?: string }[]; allocatable: { memory: string; cpu: string } } }[];
  };
  const node = list.items[0]!;
  return {
    name: node.metadata.name,
    conditions: node.status.conditions.map(({ type, status, reason, message }) => ({ type, status, reason, message })),
    allocatableMemoryBytes: Number(/^(\d+)Ki$/.exec(node.status.allocatable.memory)![1]) * 1024,
    allocatableCpuCores: Number(node.status.allocatable.cpu),
  };
}

export { GiB, MiB };
