import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, suggestion } from '../core/format.js';

/** The node condition of each resource kubelet evicts for, and what the eviction message calls it. */
const PRESSURES = [
  { condition: 'MemoryPressure', resource: 'memory', signal: 'memory.available' },
  { condition: 'DiskPressure', resource: 'ephemeral-storage', signal: 'nodefs.available' },
  { condition: 'PIDPressure', resource: 'pids', signal: 'pid.available' },
] as const;

/** `The node was low on resource: memory. …` → memory. */
function resourceInMessage(message: string | undefined): string | undefined {
  return /low on resource: ([\w-]+)/.exec(message ?? '')?.[1];
}

/**
 * Pods evicted by kubelet under node pressure: the pod's status reason Evicted or Evicted events,
 * with the node condition (MemoryPressure, DiskPressure, PIDPressure) or the eviction message naming
 * the resource. Says which pressure and which pods.
 */
export function evictionNodePressure(evidence: Evidence): Finding | undefined {
  const k8s = evidence.kubernetes;
  if (!k8s) return undefined;
  const evictedPods = new Map<string, string | undefined>();
  if (k8s.pod?.reason === 'Evicted') evictedPods.set(`${k8s.pod.namespace}/${k8s.pod.name}`, k8s.pod.message);
  for (const event of k8s.events) {
    if (event.reason !== 'Evicted') continue;
    const podName = event.object.replace(/^Pod\//, '');
    if (!evictedPods.has(podName)) evictedPods.set(podName, event.message);
  }
  if (evictedPods.size === 0) return undefined;

  const active = (k8s.node?.conditions ?? []).filter((condition) => condition.status === 'True' && PRESSURES.some((p) => p.condition === condition.type));
  const messageResources = [...evictedPods.values()].map(resourceInMessage).filter((r): r is string => r !== undefined);
  const pressure =
    PRESSURES.find((p) => active.some((c) => c.type === p.condition)) ?? PRESSURES.find((p) => messageResources.includes(p.resource) || (p.resource === 'ephemeral-storage' && messageResources.includes('nodefs')));
  if (!pressure) return undefined;

  const pods = [...evictedPods.keys()];
  const node = k8s.node?.name;
  const condition = active.find((c) => c.type === pressure.condition);
  const facts = [
    fact('evicted pods', pods.length, 'pods', pods.slice(0, 8).join(', ')),
  ];
  if (condition) facts.push(fact(`node condition ${condition.type}`, 1, '', `${node ?? 'node'}: ${condition.reason ?? ''} ${condition.message ?? ''}`.trim()));
  const firstMessage = [...evictedPods.values()].find((m) => m !== undefined);
  if (firstMessage) facts.push(fact('eviction message', pods.length, 'pods', firstMessage.slice(0, 300)));
  if (pressure.resource === 'memory' && k8s.node?.allocatableMemoryBytes !== undefined) facts.push(fact('node allocatable memory', k8s.node.allocatableMemoryBytes, 'bytes'));

  const suggestions =
    pressure.resource === 'memory'
      ? [
          suggestion('find the pods using more memory than they request: kubelet evicts those first, and requests below real use overcommit the node', `kubectl top pods -A --sort-by=memory | head -15`),
          suggestion('set memory requests to the observed working set (and limits) on the top users so the scheduler stops overcommitting the node', null, 'resources.requests.memory = observed working set'),
        ]
      : pressure.resource === 'ephemeral-storage'
        ? [
            suggestion('free the node filesystem: unused images, dead containers, large container logs', 'crictl rmi --prune; du -sh /var/log/pods/* | sort -h | tail'),
            suggestion('cap what pods write locally', null, 'resources.limits.ephemeral-storage'),
          ]
        : [suggestion('find the pod forking without bound and cap pids per pod', 'ps -eo nlwp,pid,comm --sort=-nlwp | head', 'kubelet podPidsLimit')];
  suggestions.push(
    suggestion(`see the conditions and the kubelet's eviction threshold (${pressure.signal}) on ${node ?? 'the node'}`, `kubectl describe node ${node ?? '<node>'} | sed -n '/Conditions/,/Addresses/p'`),
    suggestion('clear the evicted pods once the pressure is gone', 'kubectl get pods -A --field-selector=status.phase=Failed | grep Evicted'),
  );

  return {
    cause: 'EVICTION_NODE_PRESSURE',
    summary: `${pods.length} pod${pods.length === 1 ? '' : 's'} evicted under node ${pressure.condition}${node ? ` on ${node}` : ''}: ${pods.slice(0, 3).join(', ')}${pods.length > 3 ? ', …' : ''}`,
    confidence: clamp(0.7 + (condition ? 0.15 : 0) + (messageResources.length > 0 ? 0.05 : 0), 0, 0.95),
    severity: 'CRITICAL',
    facts,
    suggestions,
  };
}
