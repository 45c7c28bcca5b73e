import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, suggestion } from '../core/format.js';
import type { ProcessView } from '../core/scene-view.js';
import { counterRate, cpuCount, formatCores, nodeBusyRatio, percent, podName, processLabel, processMetric, summedRate } from './scene-reading.js';

/** A process waiting this many seconds per second for a CPU is suffering (runnable, not running). */
export const VICTIM_RUN_DELAY_RATIO = 0.25;
/** Node run-queue wait per CPU above this is contention. */
export const NODE_WAITING_PER_CPU = 0.2;
/** The node's CPUs are at least this busy. */
export const BUSY_RATIO = 0.8;
/** The neighbour uses at least this share of all CPU used by the scene's processes. */
export const NEIGHBOUR_SHARE = 0.4;

interface Workload {
  key: string;
  name: string;
  processes: ProcessView[];
  cpuCores: number;
}

/** A process's workload: its pod, else its cgroup, else itself. */
function workloadOf(process: ProcessView): { key: string; name: string } {
  const pod = podName(process.pod);
  if (pod) return { key: `pod:${pod}`, name: `pod ${pod}` };
  if (process.cgroup && process.cgroup !== '/') return { key: `cgroup:${process.cgroup}`, name: `cgroup ${process.cgroup}` };
  return { key: `process:${process.pid}:${process.comm}`, name: processLabel(process) };
}

/**
 * Run-queue delay caused by another workload's CPU use: some process waits for a CPU (schedstat run
 * delay) on a saturated node while a different pod or cgroup takes most of the CPU.
 */
export function runqueueNoisyNeighbour(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const cpus = cpuCount(scene);
  const busy = nodeBusyRatio(scene);
  const waitingSeconds = summedRate(scene, 'node_schedstat_waiting_seconds_total');
  const waitingPerCpu = waitingSeconds !== undefined && cpus ? waitingSeconds / cpus : undefined;

  const processes = scene.processes();
  const victims = processes
    .map((process) => ({ process, delay: processMetric(process, 'run_delay_ratio') ?? counterRate(process.metrics.get('run_delay_seconds_total')) ?? 0 }))
    .filter((v) => v.delay >= VICTIM_RUN_DELAY_RATIO)
    .sort((a, b) => b.delay - a.delay);
  if (victims.length === 0) return undefined;
  if (waitingPerCpu !== undefined ? waitingPerCpu < NODE_WAITING_PER_CPU : false) return undefined;
  if (busy === undefined || busy < BUSY_RATIO) return undefined;

  const workloads = new Map<string, Workload>();
  let totalCores = 0;
  for (const process of processes) {
    const cores = processMetric(process, 'cpu_usage_cores') ?? 0;
    if (cores <= 0) continue;
    totalCores += cores;
    const { key, name } = workloadOf(process);
    let workload = workloads.get(key);
    if (!workload) workloads.set(key, (workload = { key, name, processes: [], cpuCores: 0 }));
    workload.processes.push(process);
    workload.cpuCores += cores;
  }
  const victim = victims[0]!;
  const victimKey = workloadOf(victim.process).key;
  const neighbour = [...workloads.values()].filter((w) => w.key !== victimKey).sort((a, b) => b.cpuCores - a.cpuCores)[0];
  if (!neighbour || totalCores <= 0) return undefined;
  const share = neighbour.cpuCores / totalCores;
  if (share < NEIGHBOUR_SHARE || (cpus !== undefined && neighbour.cpuCores < 0.3 * cpus)) return undefined;

  const hungriest = neighbour.processes.sort((a, b) => (processMetric(b, 'cpu_usage_cores') ?? 0) - (processMetric(a, 'cpu_usage_cores') ?? 0))[0]!;
  const facts = [
    fact('run delay of the victim', victim.delay, 'seconds/second', `${processLabel(victim.process)}: waiting for a CPU ${percent(victim.delay)} of the time`),
    fact('CPU used by the neighbour', neighbour.cpuCores, 'cores', `${neighbour.name}, ${percent(share)} of the CPU used by the scene's processes; top ${processLabel(hungriest)}`),
    fact('node CPU busy', busy, 'ratio', 'non-idle share of node_cpu_seconds_total'),
  ];
  if (cpus !== undefined) facts.push(fact('CPUs', cpus, 'cpus'));
  if (waitingPerCpu !== undefined) facts.push(fact('run-queue wait per CPU', waitingPerCpu, 'seconds/second', 'node_schedstat_waiting_seconds_total'));
  if (victims.length > 1) facts.push(fact('other processes waiting ≥ 25 % of the time', victims.length - 1, 'processes', victims.slice(1, 6).map((v) => processLabel(v.process)).join(', ')));

  const neighbourPod = neighbour.processes[0]!.pod;
  return {
    cause: 'RUNQUEUE_NOISY_NEIGHBOUR',
    summary: `${processLabel(victim.process)} waits for a CPU ${percent(victim.delay)} of the time while ${neighbour.name} takes ${formatCores(neighbour.cpuCores)} (${percent(share)} of the CPU used) on a ${percent(busy)} busy node`,
    confidence: clamp(0.4 + 0.3 * share + 0.2 * Math.min(1, victim.delay) + (waitingPerCpu !== undefined ? 0.05 : 0), 0, 0.9),
    severity: victim.delay >= 0.5 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion(
        `cap ${neighbour.name} with a CPU limit near its fair share, or give it a request matching the ${formatCores(neighbour.cpuCores)} it uses so the scheduler places it with room`,
        neighbourPod?.pod ? `kubectl -n ${neighbourPod.namespace ?? 'default'} top pod ${neighbourPod.pod} --containers` : `top -p ${hungriest.pid}`,
        null,
      ),
      suggestion(
        `protect ${processLabel(victim.process)}: Guaranteed QoS (requests = limits, whole CPUs) lets the static CPU manager pin it to its own cores`,
        null,
        'kubelet --cpu-manager-policy=static',
      ),
      suggestion('watch the run-queue delay per process (wait time, second field)', `cat /proc/${victim.process.pid}/schedstat`),
    ],
  };
}
