import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, formatBytesPerSecond, suggestion } from '../core/format.js';
import type { ProcessView } from '../core/scene-view.js';
import { percent, processLabel, processMetric, threadsOf } from './scene-reading.js';

/** At least this many threads in uninterruptible sleep at the latest snapshot. */
export const MIN_D_THREADS = 4;
/** …and they are at least this share of load1 (the load average counts R and D tasks alike). */
export const MIN_SHARE_OF_LOAD = 0.3;

/**
 * Load from D-state (uninterruptible, almost always I/O) threads: the load average rises though the
 * CPUs may be idle. Names the blocked processes, heaviest first, with their I/O where the scene has it.
 */
export function loadFromDState(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const blocked = scene.processes().filter((process) => process.state === 'D');
  const blockedThreads = blocked.reduce((sum, process) => sum + threadsOf(process), 0);
  const procsBlocked = scene.latest('node_procs_blocked');
  const dThreads = Math.max(blockedThreads, procsBlocked ?? 0);
  const load1 = scene.latest('node_load1');
  if (dThreads < MIN_D_THREADS || load1 === undefined || load1 < 1 || dThreads < MIN_SHARE_OF_LOAD * load1) return undefined;
  if (blocked.length === 0) return undefined;

  const byWeight = (process: ProcessView) => threadsOf(process) + (process.states.filter((state) => state === 'D').length - 1) * 0.5;
  blocked.sort((a, b) => byWeight(b) - byWeight(a));
  const named = blocked.slice(0, 5);
  const persistent = blocked.filter((process) => process.states.length >= 2 && process.states.every((state) => state === 'D'));
  const share = Math.min(1, dThreads / load1);
  const ioWaiting = scene.latest('node_pressure_io_waiting_avg10_ratio');

  const facts = [
    fact('D-state threads', dThreads, 'threads', named.map(processLabel).join(', ')),
    fact('node load1', load1, '', 'node_load1'),
    fact('share of load1 in D state', share, 'ratio'),
  ];
  if (procsBlocked !== undefined) facts.push(fact('tasks blocked on I/O', procsBlocked, 'tasks', 'node_procs_blocked'));
  if (persistent.length > 0) facts.push(fact('processes in D state in every snapshot', persistent.length, 'processes', persistent.slice(0, 5).map(processLabel).join(', ')));
  if (ioWaiting !== undefined) facts.push(fact('I/O pressure (some, avg10)', ioWaiting, 'ratio', 'node_pressure_io_waiting_avg10_ratio'));
  for (const process of named) {
    const ioBytes = (processMetric(process, 'io_read_bytes_per_second') ?? 0) + (processMetric(process, 'io_write_bytes_per_second') ?? 0);
    if (ioBytes > 0) facts.push(fact('I/O of a D-state process', ioBytes, 'bytes/s', `${processLabel(process)}, ${formatBytesPerSecond(ioBytes)}`));
  }

  const top = named[0]!;
  return {
    cause: 'LOAD_FROM_D_STATE',
    summary: `load ${load1.toFixed(2)} comes from ${dThreads} threads in D state (uninterruptible I/O wait, ${percent(share)} of load1), led by ${processLabel(top)}`,
    confidence: clamp(0.5 + 0.3 * share + (persistent.length > 0 ? 0.1 : 0) + (ioWaiting !== undefined && ioWaiting >= 0.1 ? 0.05 : 0), 0, 0.95),
    severity: dThreads >= 2 * MIN_D_THREADS && share >= 0.5 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion(`see where ${processLabel(top)} sleeps in the kernel (the wait channel names the lock or the I/O)`, `cat /proc/${top.pid}/wchan; echo; cat /proc/${top.pid}/stack`),
      suggestion('find the saturated device: high await and %util point at the disk the D-state threads wait for', 'iostat -x 1 5'),
      suggestion('list every uninterruptible task with its wait channel', "ps -eLo pid,tid,stat,wchan:32,comm | awk '$3 ~ /D/'"),
    ],
  };
}
