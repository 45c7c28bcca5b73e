import { describe, expect, it } from 'vitest';
import { buildEvidence, type Finding } from '../core/evidence.js';
import type { KubernetesContext } from '../core/kubernetes-context.js';
import { oomKill } from './oom-kill.js';
import { request } from './testdata/scenes.js';
import { oomCaptureScene, OOM_KILL_MS } from './testdata/captures.js';
import { at, cgroup, GiB, MiB, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';

const finding = (outcome: ReturnType<typeof oomKill>) => outcome as Finding;

/** The container status of shared/data k8s/troubleshoot/analyze-files/pods/message-oomkill-pod.json (memory-eater, OOMKilled, exit 137, limit 100Mi). */
const oomKilledPod: KubernetesContext = {
  events: [], missing: [],
  pod: {
    namespace: 'message-oomkill-pod', name: 'oom-kill-job3-gbb89', uid: 'c8d3f094-b80c-4ff8-aff7-f0e624f1bf3a', ownerKind: 'Job', ownerName: 'oom-kill-job3', qosClass: 'Burstable', phase: 'Failed',
    containers: [{ name: 'memory-eater', requests: { memory: '100Mi' }, limits: { memory: '100Mi' }, memoryRequestBytes: 100 * MiB, memoryLimitBytes: 100 * MiB, commandLine: '75Mi 0 30Mi 80 1', env: [] }],
    statuses: [{ name: 'memory-eater', restartCount: 0, state: { kind: 'terminated', reason: 'OOMKilled', exitCode: 137 } }],
  },
};

describe('oomKill', () => {
  it('calls the recorded memcg OOM kill a leak: python3 pid 1039 grew to the 64 MiB limit', () => {
    const f = finding(oomKill(buildEvidence(request(oomCaptureScene(), 'OOM', OOM_KILL_MS))));
    expect(f.cause).toBe('OOM_LEAK');
    expect(f.summary).toBe('python3 (pid 1039) in cgroup /vigil-oom was OOM-killed after growing 6.4 MiB at 21.4 MiB/s until it hit its 64.0 MiB limit');
    expect(f.facts[0]!.detail).toBe('kernel OOM report + cgroup memory.events oom_kill');
    expect(f.facts.find((x) => x.name === 'victim RSS at the kill')!.value).toBe((65152 + 2124) * 1024);
  });

  it('calls a container steady at its limit before the kill a limit too low, with the new limit', () => {
    const scene = [...cgroup(4, (i) => ({ usage: 1000 * MiB - (i % 2) * 4 * MiB, limit: GiB, inactiveFile: 0, oomKills: i === 3 ? 1 : 0 }))];
    const f = finding(oomKill(buildEvidence(request(scene, 'OOM'))));
    expect(f.cause).toBe('OOM_LIMIT_TOO_LOW');
    expect(f.summary).toContain('pod shop/cart-7d9f');
    expect(f.suggestions[0]!.command).toBe('kubectl -n shop set resources deployment/cart -c app --limits=memory=1280Mi');
  });

  it('blames the neighbour that surged when the node ran out (CONSTRAINT_NONE)', () => {
    const labels = { pid: '2101', comm: 'java', constraint: 'CONSTRAINT_NONE' };
    const scene = [
      ...process(4, 2101, 'java', () => 2 * GiB, { cgroup: POD_CGROUP, pod: POD }),
      ...process(4, 5120, 'python3', (i) => GiB + i * 2 * GiB, { cgroup: '/kubepods/besteffort/pod9/ff', pod: { namespace: 'batch', pod: 'etl-1' } }),
      at(3, 'kernel_oom_kill', 2 * GiB, labels),
    ];
    const f = finding(oomKill(buildEvidence(request(scene, 'OOM'))));
    expect(f.cause).toBe('OOM_NOISY_NEIGHBOUR');
    expect(f.summary).toContain('python3 (pid 5120) in pod batch/etl-1 grew 6.0 GiB');
  });

  it('reads an OOMKilled container status with no scene: limit too low, low confidence, says what it missed', () => {
    const f = finding(oomKill(buildEvidence(request([], 'OOM'), oomKilledPod)));
    expect(f.cause).toBe('OOM_LIMIT_TOO_LOW');
    expect(f.summary).toContain('pod message-oomkill-pod/oom-kill-job3-gbb89 container memory-eater');
    expect(f.confidence).toBeLessThanOrEqual(0.45);
    expect(f.missing![0]).toContain('leak and limit too low not told apart');
  });

  it('ignores an OOM report older than five minutes and a cgroup counter that did not move', () => {
    const old = [at(0, 'kernel_oom_kill', 30 * MiB, { pid: '9', comm: 'sh' }), at(0, 'kernel_oom_kill_timestamp_seconds', (Date.UTC(2026, 10, 24, 6, 0) / 1000), { pid: '9', comm: 'sh' })];
    const counter = cgroup(2, () => ({ usage: 100 * MiB, limit: GiB, inactiveFile: 0, oomKills: 3 }));
    expect(oomKill(buildEvidence(request([...old, ...counter], 'OOM')))).toBeUndefined();
  });
});
