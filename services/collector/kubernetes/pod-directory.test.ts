import { afterEach, describe, expect, test, vi } from 'vitest';
import { createPodDirectory, type PodDirectory } from './pod-directory.js';
import { startFakeKubeApi, type ApiObject, type FakeKubeApi } from './testing/fake-kube-api.js';
import { datagenNode, datagenPods } from './testing/fixtures.js';
import { loadKubeClient } from './kube-client.js';

// The client the services load (the tree-shaken bundle when built), so these tests exercise it.
const { KubeConfig } = await loadKubeClient();

// Pod e2e-hpa-6cd8d99884-tggnr of datagen-1-35: its container php-apache is
// containerd://77bb57d9..., which cAdvisor reported at /kubepods/burstable/pod3ea3ef66-.../77bb57d9...
const hpaUid = '3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4';
const phpApacheId = '77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83';

let api: FakeKubeApi | undefined;
let directory: PodDirectory | undefined;
afterEach(async () => {
  await directory?.close();
  await api?.close();
  directory = api = undefined;
});

async function start(pods: ApiObject[], options: { requestTimeoutMs?: number } = {}): Promise<{ api: FakeKubeApi; directory: PodDirectory }> {
  api = await startFakeKubeApi({ pods });
  directory = createPodDirectory({ kubeConfig: api.kubeConfig(), nodeName: datagenNode, requestTimeoutMs: options.requestTimeoutMs ?? 2000, initialRetryDelayMs: 20, maxRetryDelayMs: 100 });
  return { api, directory };
}

const podNamed = (name: string): ApiObject => {
  const pod = datagenPods().find((candidate) => candidate.metadata.name === name);
  if (!pod) throw new Error(`no pod ${name} in the fixture`);
  return pod;
};
const watchRequests = (server: FakeKubeApi) => server.requests.filter((request) => request.url.searchParams.get('watch') === 'true');
const listRequests = (server: FakeKubeApi) => server.requests.filter((request) => request.url.pathname === '/api/v1/pods' && !request.url.searchParams.has('watch'));

describe('a PodDirectory against a recorded node', () => {
  test('lists the pods of this node only, with the field selector, and names containers and owners', async () => {
    const { api, directory } = await start(datagenPods());
    const state = await directory.ready();

    // 25 pods in the cluster; e2e-container-pending is unscheduled (no spec.nodeName), so the selector drops it.
    expect(state).toEqual({ status: 'ready', pods: 24, resourceVersion: '892' });
    const [list] = listRequests(api);
    expect(list?.url.searchParams.get('fieldSelector')).toBe('spec.nodeName=datagen-1-35');
    expect(list?.authorization).toBe('Bearer fake-token');
    expect(directory.lookup(hpaUid, phpApacheId)).toEqual({
      namespace: 'scraper',
      pod: 'e2e-hpa-6cd8d99884-tggnr',
      podUid: hpaUid,
      container: 'php-apache',
      ownerKind: 'Deployment',
      ownerName: 'e2e-hpa',
    });
  });

  test.each([
    ['pod-level cgroup', 'da59f36e-a7a8-46ed-8d9d-36392eb967d4', undefined, { pod: 'e2e-deployment-79967c5968-8bnn8', ownerKind: 'Deployment', ownerName: 'e2e-deployment' }],
    ['pause container (not in containerStatuses)', '3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4', 'f8fc66b384c840c35c2b1389f7dc1a26febfe0f486ca1ec68541e64706472606', { pod: 'e2e-hpa-6cd8d99884-tggnr', container: undefined }],
    ['StatefulSet', 'b5812e37-ce78-41e2-9d8d-d93a88e481d6', 'bcbcd3972a517ab0ed8df77d0a07d082c529278f206d0f4a29ebbe940996e9e5', { container: 'compute-pi-digits', ownerKind: 'StatefulSet', ownerName: 'e2e-statefulset' }],
    ['DaemonSet', 'ebb73de1-03ec-4c34-bda3-bb8a44f01c2b', 'd8d42efd0bf1d231a739597470d876aba084f8480722678ccd5fef8df5cbce10', { pod: 'kindnet-zkpn8', container: 'kindnet-cni', ownerKind: 'DaemonSet', ownerName: 'kindnet' }],
    ['Job of a CronJob (reported as the Job)', '8c27e2aa-e3ee-406d-b45e-432476d5dc13', undefined, { ownerKind: 'Job', ownerName: 'e2e-cronjob-29707813' }],
    // The cgroup of a static pod carries the kubelet's config hash; its mirror pod in the API has
    // another uid and the hash in the kubernetes.io/config.mirror annotation.
    ['static pod by its config hash', '07bd11a0a13dfe5450a17a39eb8e32d2', '898d75812ec6f153cfb46b6cb485c02bffe26643ae6f61323a76a71de8954178', { pod: 'kube-scheduler-datagen-1-35', podUid: 'cfcb0a6c-d6a0-4319-9176-b47fbe8b58eb', container: 'kube-scheduler', ownerKind: 'Node', ownerName: 'datagen-1-35' }],
    ['no owner', '081d040e-c94b-41ea-8278-eb12903ddd99', undefined, { pod: 'storage-provisioner', ownerKind: undefined }],
    ['container id of another pod', hpaUid, 'd8d42efd0bf1d231a739597470d876aba084f8480722678ccd5fef8df5cbce10', { pod: 'e2e-hpa-6cd8d99884-tggnr', container: undefined }],
  ])('%s', async (_name, podUid, containerId, expected) => {
    const { directory } = await start(datagenPods());
    await directory.ready();
    const found = directory.lookup(podUid, containerId);
    expect(found).toBeDefined();
    for (const [field, value] of Object.entries(expected)) expect(found?.[field as keyof typeof found]).toBe(value);
  });

  test('keeps current through the watch: added pods become known, changed ones change, deleted ones are forgotten', async () => {
    const hpa = podNamed('e2e-hpa-6cd8d99884-tggnr');
    const { api, directory } = await start(datagenPods().filter((pod) => pod !== undefined && pod.metadata.name !== hpa.metadata.name));
    await directory.ready();
    expect(directory.lookup(hpaUid, phpApacheId)).toBeUndefined();
    await vi.waitFor(() => expect(api.openWatches()).toBe(1));

    const [watch] = watchRequests(api);
    expect(Object.fromEntries(watch?.url.searchParams ?? [])).toEqual({
      fieldSelector: 'spec.nodeName=datagen-1-35',
      watch: 'true',
      resourceVersion: '892',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '300',
    });

    const before = directory.generation();
    api.put('pods', hpa);
    await vi.waitFor(() => expect(directory.lookup(hpaUid, phpApacheId)?.container).toBe('php-apache'));
    expect(directory.generation()).not.toBe(before);
    expect(directory.state()).toMatchObject({ status: 'ready', pods: 24, resourceVersion: '893' });

    // The container restarted: the new id is php-apache too, and so is the previous one (lastState).
    const restartedId = 'ab'.repeat(32);
    const restarted = structuredClone(hpa) as ApiObject & { status: { containerStatuses: Record<string, unknown>[] } };
    const status = restarted.status.containerStatuses[0] as Record<string, unknown>;
    restarted.status.containerStatuses[0] = { ...status, containerID: `containerd://${restartedId}`, restartCount: 1, lastState: { terminated: { containerID: `containerd://${phpApacheId}`, exitCode: 137, reason: 'OOMKilled', startedAt: '2026-06-26T10:15:00Z', finishedAt: '2026-06-26T10:20:00Z' } } };
    api.put('pods', restarted);
    await vi.waitFor(() => expect(directory.lookup(hpaUid, restartedId)?.container).toBe('php-apache'));
    expect(directory.lookup(hpaUid, phpApacheId)?.container).toBe('php-apache');

    api.remove('pods', 'scraper', 'e2e-hpa-6cd8d99884-tggnr');
    await vi.waitFor(() => expect(directory.lookup(hpaUid)).toBeUndefined());
    expect(directory.lookup(hpaUid, restartedId)).toBeUndefined();
    expect(directory.state()).toMatchObject({ status: 'ready', pods: 23 });
  });

  test('a pod scheduled on another node never shows up', async () => {
    const hpa = podNamed('e2e-hpa-6cd8d99884-tggnr') as ApiObject & { spec: { nodeName: string } };
    const { api, directory } = await start(datagenPods().filter((pod) => pod.metadata.name !== hpa.metadata.name));
    await directory.ready();
    await vi.waitFor(() => expect(api.openWatches()).toBe(1));
    api.put('pods', { ...hpa, spec: { ...hpa.spec, nodeName: 'another-node' } });
    api.put('pods', podNamed('storage-provisioner')); // a later event on this node, to know the first was skipped
    await vi.waitFor(() => expect(directory.state()).toMatchObject({ resourceVersion: '894' }));
    expect(directory.lookup(hpaUid)).toBeUndefined();
  });

  test('resumes from the last resourceVersion when the server ends a watch, lists again when it expired', async () => {
    const { api, directory } = await start(datagenPods());
    await directory.ready();
    await vi.waitFor(() => expect(api.openWatches()).toBe(1));
    api.put('pods', podNamed('storage-provisioner'));
    await vi.waitFor(() => expect(directory.state()).toMatchObject({ resourceVersion: '893' }));

    api.endWatches();
    await vi.waitFor(() => expect(watchRequests(api)).toHaveLength(2));
    expect(watchRequests(api)[1]?.url.searchParams.get('resourceVersion')).toBe('893');
    expect(listRequests(api)).toHaveLength(1);

    // Events the client missed while reconnecting are replayed from its resourceVersion...
    await vi.waitFor(() => expect(api.openWatches()).toBe(1));
    api.endWatches();
    api.remove('pods', 'kube-system', 'storage-provisioner');
    await vi.waitFor(() => expect(directory.lookup('081d040e-c94b-41ea-8278-eb12903ddd99')).toBeUndefined());

    // ...unless the history is gone: 410 Expired, and the client lists again.
    await vi.waitFor(() => expect(api.openWatches()).toBe(1));
    api.endWatches();
    api.put('pods', podNamed('storage-provisioner'));
    api.compactHistory();
    await vi.waitFor(() => expect(listRequests(api)).toHaveLength(2));
    await vi.waitFor(() => expect(directory.lookup('081d040e-c94b-41ea-8278-eb12903ddd99')?.pod).toBe('storage-provisioner'));
    expect(directory.state().status).toBe('ready');
  });

  test('a hanging API server times out into error, lookups answer undefined, and it recovers', async () => {
    api = await startFakeKubeApi({ pods: datagenPods() });
    api.hang = true;
    directory = createPodDirectory({ kubeConfig: api.kubeConfig(), nodeName: datagenNode, requestTimeoutMs: 200, initialRetryDelayMs: 50, maxRetryDelayMs: 50 });
    expect(directory.state().status).toBe('syncing');

    const state = await directory.ready();
    expect(state).toMatchObject({ status: 'error', reason: 'list pods: no answer within 200 ms', pods: 0 });
    expect(directory.lookup(hpaUid, phpApacheId)).toBeUndefined();

    api.hang = false;
    await vi.waitFor(() => expect(directory?.state().status).toBe('ready'));
    expect(directory.lookup(hpaUid, phpApacheId)?.pod).toBe('e2e-hpa-6cd8d99884-tggnr');
  });

  test('a watch that never answers times out into error; lookups keep the last pods known', async () => {
    const { api, directory } = await start(datagenPods(), { requestTimeoutMs: 200 });
    await directory.ready();
    await vi.waitFor(() => expect(api.openWatches()).toBe(1));
    api.hang = true;
    api.endWatches();
    await vi.waitFor(() => expect(directory.state()).toMatchObject({ status: 'error', reason: 'watch pods: no answer within 200 ms', pods: 24 }));
    expect(directory.lookup(hpaUid, phpApacheId)?.container).toBe('php-apache');
  });

  test('an API server that refuses connections is an error with the reason, never a throw', async () => {
    const server = await startFakeKubeApi({});
    const kubeConfig = server.kubeConfig();
    await server.close();
    directory = createPodDirectory({ kubeConfig, nodeName: datagenNode, requestTimeoutMs: 1000, initialRetryDelayMs: 1000 });
    const state = await directory.ready();
    expect(state.status).toBe('error');
    expect(state.status === 'error' && state.reason).toMatch(/^list pods: .*ECONNREFUSED/);
  });

  test('an HTTP error from the API is reported with its Status message', async () => {
    api = await startFakeKubeApi({});
    const wrongPrefix = new KubeConfig();
    wrongPrefix.loadFromOptions({
      clusters: [{ name: 'fake', server: `${api.url}/prefix`, skipTLSVerify: true }],
      users: [{ name: 'collector' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'collector' }],
      currentContext: 'fake',
    });
    directory = createPodDirectory({ kubeConfig: wrongPrefix, nodeName: datagenNode, requestTimeoutMs: 1000, initialRetryDelayMs: 1000 });
    expect(await directory.ready()).toMatchObject({ status: 'error', reason: 'list pods: HTTP 404: the server could not find the requested resource' });
  });
});

describe('without a cluster', () => {
  test('no KubeConfig: disabled, lookups undefined, nothing thrown', async () => {
    directory = createPodDirectory({ nodeName: datagenNode, requestTimeoutMs: 1000 });
    expect(directory.state()).toEqual({ status: 'disabled', reason: expect.stringContaining('no Kubernetes API configured') });
    expect(await directory.ready()).toMatchObject({ status: 'disabled' });
    expect(directory.lookup(hpaUid, phpApacheId)).toBeUndefined();
  });

  test('a KubeConfig without a current cluster: disabled', async () => {
    directory = createPodDirectory({ kubeConfig: new KubeConfig(), nodeName: datagenNode, requestTimeoutMs: 1000 });
    expect(directory.state()).toEqual({ status: 'disabled', reason: 'the kubeconfig has no current cluster' });
  });
});
