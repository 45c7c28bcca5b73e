import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import { workloadRef } from './scene-reading.js';

const MiB = 1024 * 1024;
const STEP_MIB = 64;

/** 1.5 × the limit it died at, rounded up to 64 MiB. */
function nextLimitMiB(limitBytes: number): number {
  return Math.max(STEP_MIB, Math.ceil((limitBytes * 1.5) / MiB / STEP_MIB) * STEP_MIB);
}

/**
 * A container in CrashLoopBackOff whose last run was OOMKilled (exit 137): it dies at its memory
 * limit on every start. Suggests 1.5 × the limit (the container needs more than the limit it died
 * at; a leak would still reach the new one, more slowly — the restart count tells which).
 */
export function crashloopAfterOomKilled(evidence: Evidence): Finding | undefined {
  const pod = evidence.kubernetes?.pod;
  if (!pod) return undefined;
  const looping = pod.statuses.find(
    (status) =>
      status.state.kind === 'waiting' &&
      status.state.reason === 'CrashLoopBackOff' &&
      status.lastState?.kind === 'terminated' &&
      (status.lastState.reason === 'OOMKilled' || status.lastState.exitCode === 137),
  );
  if (!looping) return undefined;

  const spec = pod.containers.find((container) => container.name === looping.name);
  const limitBytes = spec?.memoryLimitBytes;
  const backOffs = evidence.kubernetes!.events.filter((event) => event.reason === 'BackOff' && event.message.includes(looping.name)).reduce((sum, event) => sum + event.count, 0);
  const name = `${pod.namespace}/${pod.name}`;
  const last = looping.lastState!;

  const facts = [
    fact('restarts', looping.restartCount, 'restarts', `container ${looping.name}, waiting: CrashLoopBackOff`),
    fact('last exit code', last.exitCode ?? 137, '', `last state terminated: ${last.reason ?? 'exit 137 (SIGKILL)'}`),
  ];
  if (limitBytes !== undefined) facts.push(fact('memory limit', limitBytes, 'bytes', `${spec!.limits.memory ?? formatBytes(limitBytes)}, container ${looping.name}`));
  if (spec?.memoryRequestBytes !== undefined) facts.push(fact('memory request', spec.memoryRequestBytes, 'bytes', spec.requests.memory ?? null));
  if (backOffs > 0) facts.push(fact('BackOff events', backOffs, 'events', 'Back-off restarting failed container'));

  const workload = workloadRef({ ownerKind: pod.ownerKind, ownerName: pod.ownerName });
  const suggestions = [];
  if (limitBytes !== undefined) {
    const newLimitMiB = nextLimitMiB(limitBytes);
    suggestions.push(
      suggestion(
        `raise the memory limit of ${looping.name} from ${spec!.limits.memory ?? formatBytes(limitBytes)} to ${newLimitMiB}Mi: it is killed at the limit on every start, so it needs more (1.5 × the limit, rounded up to 64 Mi)`,
        workload ? `kubectl -n ${pod.namespace} set resources ${workload} -c ${looping.name} --limits=memory=${newLimitMiB}Mi` : null,
        `resources.limits.memory: ${newLimitMiB}Mi`,
      ),
    );
  } else {
    suggestions.push(suggestion(`set an explicit memory limit on ${looping.name}: it was killed by the node's OOM killer without one`, null, 'resources.limits.memory'));
  }
  suggestions.push(
    suggestion('read what it did before it was killed', `kubectl -n ${pod.namespace} logs ${pod.name} -c ${looping.name} --previous | tail -50`),
    suggestion('if the restarts continue after the raise, memory grows without bound: a leak, not a limit', `kubectl -n ${pod.namespace} get pod ${pod.name} -w`),
  );

  return {
    cause: 'CRASHLOOP_AFTER_OOMKILLED',
    summary: `container ${looping.name} of pod ${name} is in CrashLoopBackOff after being OOMKilled (exit ${last.exitCode ?? 137}, ${looping.restartCount} restarts)${limitBytes !== undefined ? ` at its ${spec!.limits.memory ?? formatBytes(limitBytes)} memory limit` : ''}`,
    confidence: clamp(0.8 + Math.min(0.1, looping.restartCount / 50) + (last.reason === 'OOMKilled' ? 0.05 : 0), 0, 0.95),
    severity: 'CRITICAL',
    facts,
    suggestions,
  };
}
