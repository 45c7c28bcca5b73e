import { describe, expect, it } from 'vitest';
import { runqueueNoisyNeighbour } from './runqueue-noisy-neighbour.js';
import { at, evidenceOf, healthyScene, nodeCpu, processSamples, T0 } from './testdata/field-scenes.js';

const batch = { namespace: 'etl', pod: 'spark-exec-3', container: 'executor' };
const api = { namespace: 'shop', pod: 'checkout-6c9d', container: 'app' };

/** 4 CPUs 95 % busy: a Spark executor takes 3.4 cores; checkout's nginx waits 40 % of the time for a CPU. */
function contentionScene(busy = 0.95) {
  return [
    ...nodeCpu(4, busy, T0, T0 + 10_000),
    ...[0, 10_000].flatMap((t) => [0, 1, 2, 3].flatMap((cpu) => [at(T0 + t, 'node_schedstat_waiting_seconds_total', 500 + (t / 1000) * 0.6, { cpu: String(cpu) })])),
    ...processSamples(T0 + 10_000, { pid: 7001, comm: 'java', state: 'R', threads: 64, cpuCores: 3.4, runDelay: 0.1, pod: batch, cgroup: '/kubepods/besteffort/pod-spark' }),
    ...processSamples(T0 + 10_000, { pid: 5120, comm: 'nginx', state: 'R', cpuCores: 0.3, runDelay: 0.4, pod: api, cgroup: '/kubepods/burstable/pod-checkout' }),
    ...processSamples(T0 + 10_000, { pid: 1102, comm: 'kubelet', state: 'S', cpuCores: 0.1, runDelay: 0.02 }),
  ];
}

describe('runqueueNoisyNeighbour', () => {
  it('names the waiting process and the pod taking the CPUs', () => {
    const finding = runqueueNoisyNeighbour(evidenceOf(contentionScene(), 'SCHED'))!;
    expect(finding.cause).toBe('RUNQUEUE_NOISY_NEIGHBOUR');
    expect(finding.summary).toBe('nginx (pid 5120) in pod shop/checkout-6c9d waits for a CPU 40 % of the time while pod etl/spark-exec-3 takes 3.40 cores (89 % of the CPU used) on a 95 % busy node');
    expect(finding.facts.find((f) => f.name === 'run-queue wait per CPU')!.value).toBeCloseTo(0.6, 9);
  });

  it('does not blame a neighbour on a node with spare CPU, nor on a healthy node', () => {
    expect(runqueueNoisyNeighbour(evidenceOf(contentionScene(0.5)))).toBeUndefined();
    expect(runqueueNoisyNeighbour(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
