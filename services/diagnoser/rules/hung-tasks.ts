import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, suggestion } from '../core/format.js';
import { processLabel } from './scene-reading.js';

/** A process seen only in D state across a scene at least this long is hung even without a kernel report. */
export const STUCK_SECONDS = 120;

/**
 * Hung tasks: khungtaskd's `task <comm>:<pid> blocked for more than N seconds` (kernel_hung_task
 * events), or a process in D state in every snapshot of a scene spanning two minutes or more.
 */
export function hungTasks(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const events = scene.events('hung_task');
  const processes = scene.processes();
  const spanSeconds = scene.times.length >= 2 ? (scene.times[scene.times.length - 1]! - scene.times[0]!) / 1000 : 0;
  const stuck = processes.filter((process) => process.states.length >= 2 && process.states.every((state) => state === 'D'));
  const stuckLongEnough = spanSeconds >= STUCK_SECONDS ? stuck : [];
  if (events.length === 0 && stuckLongEnough.length === 0) return undefined;

  const named = new Map<string, string>();
  for (const event of events) named.set(event.labels.pid ?? '?', `${event.labels.comm ?? '?'} (pid ${event.labels.pid ?? '?'})`);
  const facts = events.map((event) =>
    fact('task blocked', event.value, 'seconds', `${event.labels.comm ?? '?'} (pid ${event.labels.pid ?? '?'}) blocked for more than ${event.value} s (kernel.hung_task_timeout_secs)`),
  );
  const stillBlocked = processes.filter((process) => process.state === 'D' && named.has(process.pid));
  if (stillBlocked.length > 0) facts.push(fact('reported tasks still in D state', stillBlocked.length, 'tasks', stillBlocked.map(processLabel).join(', ')));
  for (const process of stuck.filter((p) => !named.has(p.pid)).slice(0, 5)) {
    facts.push(fact('process in D state in every snapshot', spanSeconds, 'seconds', processLabel(process)));
  }
  const others = processes.filter((process) => process.state === 'D' && !named.has(process.pid) && !stuck.includes(process));
  if (others.length > 0) facts.push(fact('other processes in D state', others.length, 'processes', others.slice(0, 5).map(processLabel).join(', ')));

  const first = events[0];
  const culprit = first ? `${first.labels.comm ?? '?'} (pid ${first.labels.pid ?? '?'})` : processLabel(stuckLongEnough[0]!);
  const pid = first?.labels.pid ?? stuckLongEnough[0]!.pid;
  const count = events.length + stuck.filter((p) => !named.has(p.pid)).length;
  return {
    cause: 'HUNG_TASKS',
    summary: first
      ? `the kernel reported ${events.length} hung task${events.length === 1 ? '' : 's'}: ${culprit} blocked for more than ${first.value} s${events.length > 1 ? ` and ${[...named.values()].slice(1, 3).join(', ')}` : ''}`
      : `${culprit} has been in uninterruptible sleep (D) for ${Math.round(spanSeconds)} s${count > 1 ? ` with ${count - 1} more` : ''}`,
    confidence: clamp((first ? 0.8 : 0.6) + (stillBlocked.length > 0 ? 0.1 : 0) + Math.min(0.05, 0.01 * count), 0, 0.95),
    severity: 'CRITICAL',
    facts,
    suggestions: [
      suggestion(`see where ${culprit} is stuck in the kernel (a mutex, a filesystem, NFS, a block device)`, `cat /proc/${pid}/stack; cat /proc/${pid}/wchan`),
      suggestion('dump every blocked task with its stack to the kernel log', 'echo w > /proc/sysrq-trigger; dmesg -T | tail -200'),
      suggestion('check the storage under it for errors or a dead mount', "dmesg -T | grep -iE 'I/O error|timed out|nfs.*not responding|blk_update_request' | tail -20"),
    ],
  };
}
