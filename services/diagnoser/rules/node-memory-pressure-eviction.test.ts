import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { request } from './testdata/scenes.js';
import { at, cgroup, GiB, MiB, node, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';
import type { KubernetesContext } from '../core/kubernetes-context.js';
import { nodeMemoryPressureEviction } from './node-memory-pressure-eviction.js';

const kube = (status: string): KubernetesContext => ({ events: [], missing: [], node: { name: 'worker-7', conditions: [{ type: 'MemoryPressure', status, reason: 'KubeletHasInsufficientMemory' }, { type: 'Ready', status: 'True' }] } });

describe('nodeMemoryPressureEviction', () => {
  it('reports a node with MemoryPressure=True, naming the largest pod', () => {
    const scene = [...node(1, () => 90 * MiB), ...cgroup(1, () => ({ usage: 6 * GiB, inactiveFile: 0 }))];
    const finding = nodeMemoryPressureEviction(buildEvidence(request(scene), kube('True')))!;
    expect(finding.cause).toBe('NODE_MEMORY_PRESSURE_EVICTION');
    expect(finding.summary).toContain('node worker-7 reports MemoryPressure');
    expect(finding.summary).toContain('largest pod shop/cart-7d9f');
  });

  it('without a cluster, MemAvailable near kubelet’s 100Mi threshold on a kubelet node counts', () => {
    const scene = [...node(1, () => 120 * MiB), ...process(1, 1102, 'kubelet', () => 140 * MiB)];
    expect(nodeMemoryPressureEviction(buildEvidence(request(scene)))?.missing).toEqual(['Kubernetes: node conditions and eviction events not read']);
  });

  it('is silent for the real node of the troubleshoot bundle (MemoryPressure False) with memory to spare', () => {
    expect(nodeMemoryPressureEviction(buildEvidence(request(node(1, () => 4 * GiB)), kube('False')))).toBeUndefined();
  });
});
