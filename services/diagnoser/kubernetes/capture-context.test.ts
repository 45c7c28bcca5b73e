import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import type { ApiObject } from '../../collector/kubernetes/testing/fake-kube-api.js';
import { kubernetesContextFromCapture } from './capture-context.js';
import { createKubernetesContextReader } from './context-reader.js';
import { startFakeKubeApi } from '../../collector/kubernetes/testing/fake-kube-api.js';
import { crashLoopPod, k3dEvents, k3dNodes, k3dPods, minikubeEvents, oomKilledPod, troubleshootNodes } from './testing/recorded-objects.js';

const captures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/captures');
const made: string[] = [];
afterEach(async () => {
  for (const directory of made.splice(0)) await rm(directory, { recursive: true, force: true });
});

const list = (kind: string, items: ApiObject[]) => `${JSON.stringify({ kind, apiVersion: 'v1', metadata: { resourceVersion: '1' }, items }, null, 2)}\n`;

/** A capture directory's k8s/ as `vigil capture` writes it: the API's lists, pretty-printed. */
async function captureWith(files: Partial<Record<'pods.json' | 'events.json' | 'nodes.json', string>>): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vigil-capture-k8s-'));
  made.push(directory);
  await mkdir(path.join(directory, 'k8s'));
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(directory, 'k8s', file), text);
  return directory;
}

test('a capture gives the same context as the live API for the same objects', async () => {
  const objects = { pods: [oomKilledPod(), crashLoopPod()], events: minikubeEvents(), nodes: troubleshootNodes() };
  const directory = await captureWith({ 'pods.json': list('PodList', objects.pods), 'events.json': list('EventList', objects.events), 'nodes.json': list('NodeList', objects.nodes) });
  const api = await startFakeKubeApi(objects);
  try {
    const live = createKubernetesContextReader({ kubeConfig: api.kubeConfig(), requestTimeoutMs: 2000 });
    for (const entity of [{ namespace: 'default', pod: 'init-demo' }, { namespace: 'default', pod: 'oom-kill-job3-gbb89', node: 'minikube' }, { node: 'ip-172-31-21-92' }]) {
      const fromCapture = await kubernetesContextFromCapture(directory, entity);
      const fromApi = await live.contextFor(entity);
      expect({ ...fromCapture, missing: [] }).toEqual({ ...fromApi, missing: [] });
    }
  } finally {
    await api.close();
  }
});

test('the k3d bundle: coredns with its Deployment, its node, and the node events only for the node', async () => {
  const directory = await captureWith({ 'pods.json': list('PodList', k3dPods()), 'events.json': list('EventList', k3dEvents()), 'nodes.json': list('NodeList', k3dNodes()) });
  const context = await kubernetesContextFromCapture(directory, { namespace: 'kube-system', pod: 'local-path-provisioner-7b7dc8d6f5-45btl' });
  expect(context.pod).toMatchObject({ ownerKind: 'Deployment', ownerName: 'local-path-provisioner' });
  expect(context.pod?.statuses[0]).toMatchObject({ restartCount: 189, lastState: { kind: 'terminated', reason: 'Error', exitCode: 1 } });
  expect(context.node?.name).toBe('k3d-mycluster-server-0');
  // The bundle's events are static-hi's, another pod's.
  expect(context.events).toEqual([]);
  expect(context.missing).toEqual([]);
});

test('a recorded capture without a cluster: the reason meta.json gave', async () => {
  const context = await kubernetesContextFromCapture(path.join(captures, 'healthy'), { node: 'vm' });
  expect(context).toEqual({ events: [], missing: ['Kubernetes: the capture has no k8s/ (no cluster configured (VIGIL_KUBECONFIG, in-cluster service account or KUBECONFIG))'] });
});

test('damaged or partial k8s/: what is there is used, the rest listed', async () => {
  const directory = await captureWith({ 'pods.json': list('PodList', [crashLoopPod()]), 'events.json': '{"kind":"EventList","items":[', 'nodes.json': '{"kind":"Status"}' });
  const context = await kubernetesContextFromCapture(directory, { namespace: 'default', pod: 'init-demo' });
  expect(context.pod?.name).toBe('init-demo');
  expect(context.missing).toEqual([
    expect.stringMatching(/^k8s\/events\.json: not JSON/),
    'k8s/nodes.json: not a Kubernetes list (no items)',
  ]);
  const elsewhere = await kubernetesContextFromCapture(directory, { namespace: 'default', pod: 'no-such-pod' });
  expect(elsewhere.missing).toContain('pod default/no-such-pod: not in k8s/pods.json (the capture lists this node\'s pods)');
  expect(elsewhere.missing).toContain('node: unknown (the entity names no node and no pod of the capture)');
});
