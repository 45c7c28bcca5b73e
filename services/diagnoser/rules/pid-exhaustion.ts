import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, suggestion } from '../core/format.js';
import type { CgroupView, ProcessView, SceneView } from '../core/scene-view.js';
import { cgroupMetric, cgroupName, counterRate, increase, percent, processesIn, processLabel, threadsOf } from './scene-reading.js';

/** Tasks at least this share of a limit: the next forks fail. */
export const NEAR_LIMIT_RATIO = 0.9;

/** The process with most threads or most children among `processes` (children by process_info's ppid). */
function heaviestForker(processes: ProcessView[], all: ProcessView[]): { process: ProcessView; children: number; threads: number } | undefined {
  const children = new Map<string, number>();
  for (const process of all) if (process.ppid) children.set(process.ppid, (children.get(process.ppid) ?? 0) + 1);
  let best: { process: ProcessView; children: number; threads: number } | undefined;
  for (const process of processes) {
    const candidate = { process, children: children.get(process.pid) ?? 0, threads: threadsOf(process) };
    if (!best || candidate.children + candidate.threads > best.children + best.threads) best = candidate;
  }
  return best;
}

interface CgroupAtLimit {
  cgroup: CgroupView;
  current: number;
  limit: number;
  refusedForks: number;
  refusedInScene: boolean;
}

function cgroupsAtLimit(scene: SceneView): CgroupAtLimit[] {
  const out: CgroupAtLimit[] = [];
  for (const cgroup of scene.cgroups()) {
    const current = cgroupMetric(cgroup, 'pids_current');
    const limit = cgroupMetric(cgroup, 'pids_limit');
    const refusedForks = cgroupMetric(cgroup, 'pids_events_max_total') ?? 0;
    if (current === undefined || limit === undefined || limit <= 0) continue;
    const refusedInScene = (increase(cgroup.metrics.get('pids_events_max_total')) ?? 0) > 0;
    // A refused fork now, or the cgroup sitting at its limit with refusals on record.
    if (refusedInScene || (refusedForks > 0 && current >= NEAR_LIMIT_RATIO * limit)) out.push({ cgroup, current, limit, refusedForks, refusedInScene });
  }
  return out.sort((a, b) => b.current / b.limit - a.current / a.limit);
}

/**
 * Pid exhaustion or a fork storm: a cgroup at pids.max refusing forks (pids.events max), or the node's
 * threads near kernel.pid_max / kernel.threads-max. Names the cgroup or pod and the process with most
 * threads or children.
 */
export function pidExhaustion(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const forks = counterRate(scene.one('node_forks_total'));
  const all = scene.processes();
  const [atLimit] = cgroupsAtLimit(scene);
  if (atLimit) {
    const { cgroup, current, limit, refusedForks } = atLimit;
    const name = cgroupName(cgroup);
    const forker = heaviestForker(processesIn(scene, cgroup), all);
    const facts = [
      fact('tasks in the cgroup', current, 'tasks', `pids.current of ${cgroup.path}`),
      fact('pids.max', limit, 'tasks', cgroup.path),
      fact('forks refused at pids.max', refusedForks, 'forks', `pids.events max${atLimit.refusedInScene ? ', rising during the scene' : ''}`),
    ];
    if (forker) facts.push(fact('heaviest forker', forker.children + forker.threads, 'tasks', `${processLabel(forker.process)}: ${forker.children} children, ${forker.threads} threads`));
    if (forks !== undefined) facts.push(fact('node fork rate', forks, 'forks/s', 'node_forks_total'));
    const newLimit = Math.max(limit * 2, 64);
    return {
      cause: 'PID_EXHAUSTION',
      summary: `${name} is at its pids.max (${current} of ${limit} tasks) and the kernel refused ${refusedForks} fork${refusedForks === 1 ? '' : 's'}${forker ? `; most tasks come from ${processLabel(forker.process)}` : ''}`,
      confidence: clamp(0.7 + (atLimit.refusedInScene ? 0.1 : 0) + (forker ? 0.1 : 0), 0, 0.95),
      severity: 'CRITICAL',
      facts,
      suggestions: [
        suggestion(
          forker ? `if ${processLabel(forker.process)} forks without bound (a fork storm), stop it and fix the loop` : `find the process forking in ${cgroup.path}`,
          forker ? `ps -o pid,ppid,nlwp,stat,etime,cmd --ppid ${forker.process.pid} | head -20` : `cat /sys/fs/cgroup/pids${cgroup.path}/cgroup.procs | xargs -r ps -o pid,ppid,nlwp,cmd -p`,
        ),
        suggestion(
          `if ${current} tasks is its normal load, raise the limit to ${newLimit} (twice the current)`,
          `echo ${newLimit} > /sys/fs/cgroup${cgroup.path}/pids.max`,
          cgroup.pod?.pod ? `kubelet podPidsLimit: ${newLimit} (per pod)` : `pids.max=${newLimit}`,
        ),
      ],
    };
  }

  const threads = scene.latest('node_procs_threads');
  const pidMax = scene.latest('node_processes_max_processes') ?? scene.sysctl('kernel.pid_max');
  const threadsMax = scene.latest('node_processes_max_threads') ?? scene.sysctl('kernel.threads-max');
  if (threads === undefined) return undefined;
  const limits = [
    { name: 'kernel.pid_max', value: pidMax },
    { name: 'kernel.threads-max', value: threadsMax },
  ].filter((l): l is { name: string; value: number } => l.value !== undefined && l.value > 0);
  const tightest = limits.sort((a, b) => a.value - b.value)[0];
  if (!tightest || threads < NEAR_LIMIT_RATIO * tightest.value) return undefined;

  const forker = heaviestForker(all, all);
  const newValue = Math.min(4194304, tightest.value * 4);
  const facts = [
    fact('threads on the node', threads, 'threads', 'node_procs_threads'),
    fact(tightest.name, tightest.value, 'tasks'),
    fact('share of the limit in use', threads / tightest.value, 'ratio'),
  ];
  if (forker) facts.push(fact('heaviest forker', forker.children + forker.threads, 'tasks', `${processLabel(forker.process)}: ${forker.children} children, ${forker.threads} threads`));
  if (forks !== undefined) facts.push(fact('node fork rate', forks, 'forks/s', 'node_forks_total'));
  return {
    cause: 'PID_EXHAUSTION',
    summary: `the node runs ${threads} threads, ${percent(threads / tightest.value)} of ${tightest.name} = ${tightest.value}${forker ? `; most come from ${processLabel(forker.process)}` : ''}`,
    confidence: clamp(0.6 + (threads / tightest.value - NEAR_LIMIT_RATIO) * 2 + (forker ? 0.1 : 0), 0, 0.95),
    severity: 'CRITICAL',
    facts,
    suggestions: [
      suggestion('find who holds the threads', 'ps -eo nlwp,pid,comm --sort=-nlwp | head -15'),
      suggestion(`raise ${tightest.name} from ${tightest.value} to ${newValue} while the leak or storm is fixed`, `sysctl -w ${tightest.name}=${newValue}`, `${tightest.name}=${newValue}`),
      suggestion('cap pods so one cannot take the node: kubelet podPidsLimit', null, 'podPidsLimit: 4096'),
    ],
  };
}
