import { afterEach, describe, expect, test, vi } from 'vitest';
import { attributionFor } from './attribution.js';
import { createPodDirectory, type PodDirectory } from './pod-directory.js';
import { startFakeKubeApi, type FakeKubeApi } from './testing/fake-kube-api.js';
import { cadvisorSeries, datagenNode, datagenPods } from './testing/fixtures.js';

const phpApache = '/kubepods/burstable/pod3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4/77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83';

let api: FakeKubeApi | undefined;
let directory: PodDirectory | undefined;
afterEach(async () => {
  await directory?.close();
  await api?.close();
  directory = api = undefined;
});

describe('attributionFor', () => {
  // cAdvisor, inside the same kubelet, labelled every cgroup of datagen-1-35 with namespace, pod and
  // container; our mapping from the path and the API's pods must agree with it series by series.
  test("agrees with cAdvisor's own labels for every pod cgroup of datagen-1-35", async () => {
    api = await startFakeKubeApi({ pods: datagenPods() });
    directory = createPodDirectory({ kubeConfig: api.kubeConfig(), nodeName: datagenNode, requestTimeoutMs: 2000 });
    await directory.ready();
    const attribution = attributionFor(directory);
    const series = cadvisorSeries().filter((entry) => entry.pod !== '');
    expect(series.length).toBeGreaterThan(40);
    for (const entry of series) {
      const labels = attribution(entry.id);
      expect({ namespace: labels.namespace, pod: labels.pod, container: labels.container ?? '' }, entry.id).toEqual({ namespace: entry.namespace, pod: entry.pod, container: entry.container });
    }
  });

  test('labels a container cgroup with its pod, container and owner', async () => {
    api = await startFakeKubeApi({ pods: datagenPods() });
    directory = createPodDirectory({ kubeConfig: api.kubeConfig(), nodeName: datagenNode, requestTimeoutMs: 2000 });
    await directory.ready();
    expect(attributionFor(directory)(phpApache)).toEqual({
      pod_uid: '3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4',
      container_id: '77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83',
      namespace: 'scraper',
      pod: 'e2e-hpa-6cd8d99884-tggnr',
      container: 'php-apache',
      owner_kind: 'Deployment',
      owner_name: 'e2e-hpa',
    });
  });

  test('without a cluster: pod_uid and container_id from the path, nothing else', async () => {
    directory = createPodDirectory({ nodeName: datagenNode, requestTimeoutMs: 1000 });
    const attribution = attributionFor(directory);
    expect(attribution(phpApache)).toEqual({ pod_uid: '3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4', container_id: '77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83' });
    expect(attribution('/kubepods/burstable/pod3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4')).toEqual({ pod_uid: '3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4' });
    expect(attribution('/system.slice/kubelet.service')).toEqual({});
    expect(attributionFor(undefined)(phpApache)).toEqual({ pod_uid: '3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4', container_id: '77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83' });
  });

  test('caches per path until the directory changes; a pod added by the watch gains its names', async () => {
    const pods = datagenPods();
    const hpa = pods.find((pod) => pod.metadata.name === 'e2e-hpa-6cd8d99884-tggnr');
    api = await startFakeKubeApi({ pods: pods.filter((pod) => pod !== hpa) });
    directory = createPodDirectory({ kubeConfig: api.kubeConfig(), nodeName: datagenNode, requestTimeoutMs: 2000 });
    await directory.ready();
    const attribution = attributionFor(directory, { maxCachedPaths: 2 });
    const first = attribution(phpApache);
    expect(first.pod).toBeUndefined();
    expect(attribution(phpApache)).toBe(first);

    await vi.waitFor(() => expect(api?.openWatches()).toBe(1));
    api.put('pods', hpa!);
    await vi.waitFor(() => expect(attribution(phpApache).pod).toBe('e2e-hpa-6cd8d99884-tggnr'));

    // Bounded: with room for two paths, a third evicts the least recently used.
    const kept = attribution(phpApache);
    attribution('/kubepods/besteffort/pod081d040e-c94b-41ea-8278-eb12903ddd99');
    attribution('/kubepods/podebb73de1-03ec-4c34-bda3-bb8a44f01c2b');
    expect(attribution(phpApache)).not.toBe(kept);
    expect(attribution(phpApache)).toEqual(kept);
  });
});
