import { afterEach, describe, expect, test } from 'vitest';
import { VigilError } from '../../../src/errors.js';
import { fetchClusterSnapshot } from './cluster-snapshot.js';
import { startFakeKubeApi, type FakeKubeApi } from './testing/fake-kube-api.js';
import { supportBundle } from './testing/fixtures.js';
import { loadKubeClient } from './kube-client.js';

// The client the services load (the tree-shaken bundle when built), so these tests exercise it.
const { KubeConfig } = await loadKubeClient();

// A k3d cluster's support bundle (troubleshoot): node k3d-mycluster-server-0, 7 pods in kube-system
// and 1 in default, 5 events in default (a BackOff of pod static-hi). Served as recorded.
const node = 'k3d-mycluster-server-0';

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function startBundle(): Promise<FakeKubeApi> {
  api = await startFakeKubeApi({
    pods: [...supportBundle('pods/kube-system.json'), ...supportBundle('pods/default.json')],
    events: supportBundle('events/default.json'),
    nodes: supportBundle('nodes.json'),
  });
  return api;
}

describe('fetchClusterSnapshot', () => {
  test("saves this node's pods, the events of their namespaces and the node, as the API's JSON", async () => {
    const server = await startBundle();
    const snapshot = await fetchClusterSnapshot(server.kubeConfig(), node, 2000);

    expect(snapshot.pods).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect(snapshot.pods.items.map((pod) => pod.metadata?.name)).toContain('local-path-provisioner-7b7dc8d6f5-45btl');
    expect(snapshot.pods.items).toHaveLength(8);
    expect(snapshot.nodes).toMatchObject({ kind: 'NodeList', items: [{ metadata: { name: node } }] });
    expect(snapshot.events).toMatchObject({ kind: 'EventList', apiVersion: 'v1' });
    expect(snapshot.events.items.map((event) => event.reason)).toEqual(['Scheduled', 'Pulled', 'Created', 'Started', 'BackOff']);
    // Objects pass through untouched (no client-side re-encoding of timestamps or unknown fields).
    expect(snapshot.pods.items).toEqual(expect.arrayContaining(supportBundle('pods/default.json')));

    const paths = server.requests.map((request) => `${request.url.pathname}${request.url.search}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/pods?fieldSelector=spec.nodeName%3Dk3d-mycluster-server-0',
        '/api/v1/nodes?fieldSelector=metadata.name%3Dk3d-mycluster-server-0',
        '/api/v1/events?fieldSelector=involvedObject.kind%3DNode%2CinvolvedObject.name%3Dk3d-mycluster-server-0',
        '/api/v1/namespaces/default/events',
        '/api/v1/namespaces/kube-system/events',
      ]),
    );
  });

  test('an unreachable API is a VIGIL_SOURCE error naming the server and the request', async () => {
    const server = await startBundle();
    const kubeConfig = server.kubeConfig();
    await server.close();
    api = undefined;
    const error = await fetchClusterSnapshot(kubeConfig, node, 1000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VigilError);
    expect(error).toMatchObject({ code: 'VIGIL_SOURCE', retriable: true });
    expect((error as Error).message).toMatch(/^kubernetes: GET \/api\/v1\/\w+\?fieldSelector=.* at http:\/\/127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/);
  });

  test('a hanging API times out into a VIGIL_SOURCE error', async () => {
    const server = await startBundle();
    server.hang = true;
    const error = await fetchClusterSnapshot(server.kubeConfig(), node, 200).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'VIGIL_SOURCE' });
    expect((error as Error).message).toMatch(/failed: no answer within 200 ms$/);
  });

  test('a kubeconfig without a cluster is a VIGIL_SOURCE error', async () => {
    await expect(fetchClusterSnapshot(new KubeConfig(), node, 200)).rejects.toMatchObject({ code: 'VIGIL_SOURCE', message: expect.stringContaining('the kubeconfig has no current cluster') });
  });
});
