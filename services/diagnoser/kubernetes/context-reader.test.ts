import { afterEach, describe, expect, test } from 'vitest';
import { startFakeKubeApi, type ApiObject, type FakeKubeApi } from '../../collector/kubernetes/testing/fake-kube-api.js';
import { createKubernetesContextReader, kubernetesContextReaderFrom, noClusterReason, type KubernetesContextReaderOptions } from './context-reader.js';
import { crashLoopPod, k3dEvents, k3dNodes, k3dPods, minikubeEvents, oomKilledPod, troubleshootNodes } from './testing/recorded-objects.js';
import { loadKubeClient } from '../../collector/kubernetes/kube-client.js';

// The client the services load (the tree-shaken bundle when built), so these tests exercise it.
const { KubeConfig } = await loadKubeClient();

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function startReader(objects: { pods?: ApiObject[]; events?: ApiObject[]; nodes?: ApiObject[] }, options: Partial<KubernetesContextReaderOptions> = {}) {
  // The fake validates every object against the API's OpenAPI schema (kubernetes-models) as it stores it.
  api = await startFakeKubeApi(objects);
  return { api, reader: createKubernetesContextReader({ kubeConfig: api.kubeConfig(), requestTimeoutMs: 2000, ...options }) };
}

const minikube = () => ({ pods: [oomKilledPod(), crashLoopPod()], events: minikubeEvents(), nodes: troubleshootNodes() });

describe('the context of a pod, from the API', () => {
  test('the OOMKilled Job pod: owner, limits parsed, args, status, its own events only', async () => {
    const { api, reader } = await startReader(minikube());
    const context = await reader.contextFor({ namespace: 'default', pod: 'oom-kill-job3-gbb89', node: null });

    expect(context.pod).toEqual({
      namespace: 'default',
      name: 'oom-kill-job3-gbb89',
      uid: 'c8d3f094-b80c-4ff8-aff7-f0e624f1bf3a',
      ownerKind: 'Job',
      ownerName: 'oom-kill-job3',
      qosClass: 'Burstable',
      phase: 'Failed',
      containers: [
        {
          name: 'memory-eater',
          requests: { memory: '100Mi' },
          limits: { memory: '100Mi' },
          memoryRequestBytes: 104857600,
          memoryLimitBytes: 104857600,
          commandLine: '75Mi 0 30Mi 80 1',
          env: [],
        },
      ],
      statuses: [{ name: 'memory-eater', restartCount: 0, state: { kind: 'terminated', reason: 'OOMKilled', exitCode: 137, atMs: Date.parse('2023-07-11T04:43:25Z') } }],
    });
    expect(context.events.map((event) => event.reason)).toEqual(['Pulled', 'Created', 'Started', 'Scheduled', 'Pulling']); // Scheduled's eventTime has microseconds: 04:43:19.191 after 04:43:19
    expect(context.events.every((event) => event.object === 'Pod/oom-kill-job3-gbb89')).toBe(true);
    // The pod runs on minikube, which is not among the recorded nodes.
    expect(context.missing).toEqual(['node minikube: not found']);

    const eventQuery = api.requests.find((request) => request.url.pathname === '/api/v1/namespaces/default/events');
    expect(eventQuery?.url.searchParams.get('fieldSelector')).toBe('involvedObject.kind=Pod,involvedObject.name=oom-kill-job3-gbb89,involvedObject.uid=c8d3f094-b80c-4ff8-aff7-f0e624f1bf3a');
    expect(api.requests.every((request) => request.authorization === 'Bearer fake-token')).toBe(true);
  });

  test('the CrashLoopBackOff pod: waiting reason, last termination, restarts, BackOff ×111 first', async () => {
    const { reader } = await startReader(minikube());
    const context = await reader.contextFor({ namespace: 'default', pod: 'init-demo' });
    expect(context.pod?.statuses).toEqual([
      {
        name: 'nginx',
        restartCount: 4,
        state: { kind: 'waiting', reason: 'CrashLoopBackOff' },
        lastState: { kind: 'terminated', reason: 'ContainerCannotRun', exitCode: 127, finishedAtMs: Date.parse('2023-07-11T03:33:15Z') },
      },
    ]);
    expect(context.pod?.containers[0]?.commandLine).toBe('wge -O /work-dir/index.html https://home.robusta.dev');
    expect(context.pod?.qosClass).toBe('BestEffort');
    expect(context.events[0]).toEqual({ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', count: 111, lastSeenMs: Date.parse('2023-07-11T03:56:47Z'), object: 'Pod/init-demo' });
    expect(context.events).toHaveLength(10);
  });

  test('a ReplicaSet pod is reported with its Deployment; requests, limits and the node conditions', async () => {
    const { reader } = await startReader({ pods: k3dPods(), events: k3dEvents(), nodes: k3dNodes() });
    const context = await reader.contextFor({ namespace: 'kube-system', pod: 'coredns-b96499967-tncf4', node: 'k3d-mycluster-server-0' });
    expect(context.pod).toMatchObject({ ownerKind: 'Deployment', ownerName: 'coredns', qosClass: 'Burstable' });
    expect(context.pod?.containers[0]).toMatchObject({ cpuRequestCores: 0.1, memoryRequestBytes: 70 * 2 ** 20, memoryLimitBytes: 170 * 2 ** 20, limits: { memory: '170Mi' } });
    expect(context.pod?.statuses[0]).toMatchObject({ restartCount: 96, state: { kind: 'running' }, lastState: { kind: 'terminated', reason: 'Unknown', exitCode: 255 } });
    expect(context.node?.name).toBe('k3d-mycluster-server-0');
    expect(context.node?.conditions.find((condition) => condition.type === 'MemoryPressure')).toMatchObject({ status: 'False', reason: 'KubeletHasSufficientMemory' });
    expect(context.node?.allocatableCpuCores).toBeGreaterThan(0);
    expect(context.missing).toEqual([]);
  });

  test('a pod that is gone: said missing, its events still found by name', async () => {
    const { reader } = await startReader({ events: minikubeEvents(), nodes: troubleshootNodes() });
    const context = await reader.contextFor({ namespace: 'default', pod: 'oom-kill-job3-gbb89', node: null });
    expect(context.pod).toBeUndefined();
    expect(context.events.map((event) => event.reason)).toContain('Scheduled');
    expect(context.missing).toEqual(['pod default/oom-kill-job3-gbb89: not found (deleted or evicted; its events may remain)', 'node: unknown (the pod was not found and the entity names no node)']);
  });
});

describe('the context of a node', () => {
  test('conditions and allocatable of ip-172-31-21-92', async () => {
    const { reader } = await startReader(minikube());
    const context = await reader.contextFor({ node: 'ip-172-31-21-92' });
    expect(context.pod).toBeUndefined();
    expect(context.node).toMatchObject({ name: 'ip-172-31-21-92', allocatableMemoryBytes: 16064760 * 1024, allocatableCpuCores: 1 });
    expect(context.node?.conditions.map((condition) => `${condition.type}=${condition.status}`)).toEqual(['NetworkUnavailable=False', 'MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    expect(context.missing).toEqual([]);
  });
});

describe('cache and failures', () => {
  test('answers are reused within the TTL, fetched again after it; concurrent asks share one fetch', async () => {
    let nowMs = 0;
    const { api, reader } = await startReader(minikube(), { ttlMs: 1000, clock: () => nowMs });
    const entity = { namespace: 'default', pod: 'init-demo' };
    const [first, second] = await Promise.all([reader.contextFor(entity), reader.contextFor(entity)]);
    expect(second).toBe(first);
    const asked = api.requests.length;
    nowMs = 999;
    await reader.contextFor(entity);
    expect(api.requests.length).toBe(asked);
    nowMs = 2000;
    await reader.contextFor(entity);
    expect(api.requests.length).toBe(asked * 2);
  });

  test('bounded: the least recently used entity is forgotten first', async () => {
    const { api, reader } = await startReader(minikube(), { maxEntries: 2 });
    const count = () => api.requests.length;
    await reader.contextFor({ node: 'repldev-marc' });
    await reader.contextFor({ node: 'smallnode-3i74t' });
    await reader.contextFor({ node: 'repldev-marc' }); // now the most recent
    const before = count();
    await reader.contextFor({ node: 'ip-172-31-21-92' }); // evicts smallnode
    await reader.contextFor({ node: 'repldev-marc' });
    expect(count()).toBe(before + 2);
    await reader.contextFor({ node: 'smallnode-3i74t' });
    expect(count()).toBe(before + 4);
  });

  test('an API server that never answers: each request ends at its deadline, nothing throws, the failure is reused briefly', async () => {
    let nowMs = 0;
    const { api, reader } = await startReader(minikube(), { requestTimeoutMs: 200, failureTtlMs: 500, clock: () => nowMs });
    api.hang = true;
    const startedMs = performance.now();
    const context = await reader.contextFor({ namespace: 'default', pod: 'init-demo', node: 'minikube' });
    expect(performance.now() - startedMs).toBeLessThan(1500);
    expect(context.pod).toBeUndefined();
    expect(context.missing).toContain('pod default/init-demo: no answer within 200 ms');
    expect(context.missing).toContain('node minikube: no answer within 200 ms');
    const asked = api.requests.length;
    nowMs = 400;
    await reader.contextFor({ namespace: 'default', pod: 'init-demo', node: 'minikube' });
    expect(api.requests.length).toBe(asked);
    api.hang = false;
    nowMs = 600;
    expect((await reader.contextFor({ namespace: 'default', pod: 'init-demo', node: 'minikube' })).pod?.name).toBe('init-demo');
  });

  test('a server that refuses connections', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({ clusters: [{ name: 'gone', server: 'http://127.0.0.1:9', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'gone', user: 'u' }], currentContext: 'c' });
    const context = await createKubernetesContextReader({ kubeConfig, requestTimeoutMs: 1000 }).contextFor({ node: 'n1' });
    expect(context.missing).toHaveLength(2);
    expect(context.missing[0]).toMatch(/^node n1: .*ECONNREFUSED/);
    expect(context.missing[1]).toMatch(/^events of node n1: .*ECONNREFUSED/);
  });

  test('without a cluster: an empty context saying why', async () => {
    const off = await kubernetesContextReaderFrom({ VIGIL_KUBERNETES: 'off', VIGIL_KUBE_TIMEOUT_MS: 5000 }, {});
    expect(await off.contextFor({ node: 'n1' })).toEqual({ events: [], missing: ['Kubernetes: not asked (VIGIL_KUBERNETES=off)'] });
    const none = await kubernetesContextReaderFrom({ VIGIL_KUBERNETES: 'auto', VIGIL_KUBE_TIMEOUT_MS: 5000 }, {});
    expect(await none.contextFor({ node: 'n1' })).toEqual({ events: [], missing: [noClusterReason] });
  });
});
