import type { Fact } from '../../../src/codec/records.generated.js';
import { fact, formatBytes, suggestion } from '../core/format.js';
import type { Evidence, Finding } from '../core/evidence.js';
import { cgroupLabel, cgroupLatest, latestGauge, MiB, percent } from './memory-reading.js';

/** kubelet's default hard eviction threshold: memory.available < 100Mi. */
export const DEFAULT_EVICTION_THRESHOLD_BYTES = 100 * MiB;
/** MemAvailable within this factor of the threshold is "near eviction". */
const NEAR_THRESHOLD_FACTOR = 1.5;

/**
 * The node under memory pressure, evicting pods: the node's MemoryPressure condition, Evicted pods
 * or eviction events (from the Kubernetes API), or MemAvailable near kubelet's eviction threshold
 * on a node that runs a kubelet. Names the largest pods by working set: the first candidates kubelet
 * ranks for eviction (usage above requests, BestEffort and Burstable first).
 */
export function nodeMemoryPressureEviction(evidence: Evidence): Finding | undefined {
  const { scene, kubernetes } = evidence;
  const condition = kubernetes?.node?.conditions.find((c) => c.type === 'MemoryPressure' && c.status === 'True');
  const evictedPod = kubernetes?.pod?.reason === 'Evicted' ? kubernetes.pod : undefined;
  const evictionEvents = (kubernetes?.events ?? []).filter((e) => /^(Evicted|EvictionThresholdMet|NodeHasInsufficientMemory|SystemOOM)$/.test(e.reason));
  const available = latestGauge(scene, 'node_memory_MemAvailable_bytes');
  const total = latestGauge(scene, 'node_memory_MemTotal_bytes');
  const hasKubelet = scene.processes().some((p) => p.comm === 'kubelet') || kubernetes?.node !== undefined;
  const nearThreshold = hasKubelet && available !== undefined && available <= NEAR_THRESHOLD_FACTOR * DEFAULT_EVICTION_THRESHOLD_BYTES;
  if (!condition && !evictedPod && evictionEvents.length === 0 && !nearThreshold) return undefined;

  const node = kubernetes?.node?.name ?? evidence.entity.node ?? 'the node';
  const pods = scene.cgroups()
    .filter((c) => c.pod?.pod)
    .map((c) => ({ cgroup: c, workingSet: cgroupLatest(scene, c, 'memory_working_set_bytes') ?? 0 }))
    .filter((p) => p.workingSet > 0)
    .sort((a, b) => b.workingSet - a.workingSet)
    .slice(0, 3);
  const facts: Fact[] = [];
  if (condition) facts.push(fact('node condition MemoryPressure', 1, '', `${condition.reason ?? ''} ${condition.message ?? ''}`.trim() || null));
  if (evictedPod) facts.push(fact('pod evicted', 1, '', `${evictedPod.namespace}/${evictedPod.name}: ${evictedPod.message ?? 'Evicted'}`));
  for (const event of evictionEvents.slice(0, 3)) facts.push(fact(`event ${event.reason}`, event.count, 'events', `${event.object}: ${event.message}`));
  if (available !== undefined) facts.push(fact('MemAvailable', available, 'bytes', 'node_memory_MemAvailable_bytes'));
  facts.push(fact('kubelet hard eviction threshold (default)', DEFAULT_EVICTION_THRESHOLD_BYTES, 'bytes', 'memory.available<100Mi unless --eviction-hard says otherwise'));
  if (total !== undefined && available !== undefined) facts.push(fact('MemAvailable / MemTotal', available / total, 'ratio', node));
  for (const p of pods) facts.push(fact('pod working set', p.workingSet, 'bytes', cgroupLabel(p.cgroup)));
  const witnessed = condition ? 'reports MemoryPressure' : evictedPod || evictionEvents.length > 0 ? 'is evicting pods' : `is ${formatBytes(available!)} from kubelet's eviction threshold`;
  const top = pods[0];
  return {
    cause: 'NODE_MEMORY_PRESSURE_EVICTION',
    summary: `node ${node} ${witnessed}${available !== undefined ? ` (MemAvailable ${formatBytes(available)}${total !== undefined ? `, ${percent(available / total)}` : ''})` : ''}${top ? `; largest pod ${top.cgroup.pod!.namespace}/${top.cgroup.pod!.pod} at ${formatBytes(top.workingSet)}` : ''}`,
    confidence: condition || evictedPod || evictionEvents.length > 0 ? 0.85 : 0.6,
    severity: 'CRITICAL',
    facts,
    suggestions: [
      suggestion('see the condition and what kubelet evicted', `kubectl describe node ${node} | grep -A8 Conditions; kubectl get pods -A --field-selector=status.phase=Failed | grep Evicted`),
      suggestion('set memory requests to what pods really use: kubelet evicts pods above their requests first, and the scheduler packs nodes by requests', 'kubectl top pod -A --sort-by=memory | head'),
      suggestion('reserve memory for the system and evict earlier, softly, before the kernel OOM-kills', null, '--system-reserved=memory=1Gi --eviction-soft=memory.available<500Mi --eviction-soft-grace-period=memory.available=1m30s'),
      suggestion(top ? `move or limit ${top.cgroup.pod!.namespace}/${top.cgroup.pod!.pod}, or add a node` : 'add capacity or spread the memory-heavy pods', null),
    ],
    ...(kubernetes ? {} : { missing: ['Kubernetes: node conditions and eviction events not read'] }),
  };
}
