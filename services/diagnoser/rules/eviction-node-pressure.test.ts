import { describe, expect, it } from 'vitest';
import type { KubernetesContext } from '../core/kubernetes-context.js';
import { evictionNodePressure } from './eviction-node-pressure.js';
import { evidenceOf, k3dNode } from './testdata/field-scenes.js';

/**
 * Synthetic (no real eviction in shared/data, see testdata/k8s/README.md): the real k3d node with
 * MemoryPressure flipped to True, and an Evicted event worded as kubelet words it.
 */
function evictionContext(pressure = true): KubernetesContext {
  const node = k3dNode();
  if (pressure) node.conditions = node.conditions.map((c) => (c.type === 'MemoryPressure' ? { ...c, status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' } : c));
  return {
    events: [
      {
        type: 'Warning',
        reason: 'Evicted',
        message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91236Ki. Container report-gen was using 2245692Ki, request is 0, has larger consumption of memory.',
        count: 1,
        object: 'Pod/report-gen-28371840-kx2vp',
      },
    ],
    node,
    missing: [],
  };
}

describe('evictionNodePressure', () => {
  it('says which pressure and which pod', () => {
    const finding = evictionNodePressure(evidenceOf([], 'MEMORY', evictionContext()))!;
    expect(finding.cause).toBe('EVICTION_NODE_PRESSURE');
    expect(finding.summary).toBe('1 pod evicted under node MemoryPressure on k3d-mycluster-server-0: report-gen-28371840-kx2vp');
    expect(finding.facts[1]!.detail).toContain('KubeletHasInsufficientMemory');
  });

  it('falls back to the resource in the eviction message when the condition has cleared', () => {
    const finding = evictionNodePressure(evidenceOf([], 'MEMORY', evictionContext(false)))!;
    expect(finding.summary).toContain('MemoryPressure');
    expect(finding.confidence).toBeLessThan(evictionNodePressure(evidenceOf([], 'MEMORY', evictionContext()))!.confidence);
  });

  it('stays quiet on the real node with no evictions', () => {
    expect(evictionNodePressure(evidenceOf([], 'MEMORY', { events: [], node: k3dNode(), missing: [] }))).toBeUndefined();
  });
});
