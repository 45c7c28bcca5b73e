/**
 * Real API objects for the context tests: Replicated troubleshoot's analyze-files (minikube; copied
 * byte for byte into ../testdata, sources in its README.md) and the k3d support bundle the collector's
 * tests already use (test/fixtures/k8s). One change, and why: upstream renamed each object's namespace
 * after its test case (the OOM pod lives in `message-oomkill-pod`, its events in
 * `message-image-pull-fail`), while the events' own messages say `default/oom-kill-job3-gbb89`; the
 * namespace is put back to `default` on pods and events, so a pod and its events meet again as they
 * did in the cluster. Items of a list carry no kind/apiVersion, as the API sends them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiObject } from '../../../collector/kubernetes/testing/fake-kube-api.js';
import { supportBundle } from '../../../collector/kubernetes/testing/fixtures.js';

const testdata = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../testdata/troubleshoot/analyze-files');

function items(file: string): ApiObject[] {
  return (JSON.parse(readFileSync(path.join(testdata, file), 'utf8')) as { items: ApiObject[] }).items;
}

function inDefaultNamespace(object: ApiObject): ApiObject {
  const copy = structuredClone(object);
  copy.metadata.namespace = 'default';
  const involved = copy['involvedObject'] as { namespace?: string } | undefined;
  if (involved?.namespace) involved.namespace = 'default';
  return copy;
}

/** Job pod oom-kill-job3-gbb89: memory-eater, limit 100Mi, terminated OOMKilled exit 137, on node minikube. */
export const oomKilledPod = (): ApiObject => inDefaultNamespace(items('pods/message-oomkill-pod.json')[0]!);
/** init-demo: nginx waiting in CrashLoopBackOff, last terminated ContainerCannotRun exit 127, 4 restarts. */
export const crashLoopPod = (): ApiObject => inDefaultNamespace(items('pods/message-pod-crashloop-backoff.json')[0]!);
/** 34 events of the same minikube cluster: the OOM pod's and init-demo's among others'. */
export const minikubeEvents = (): ApiObject[] => [...items('events/message-image-pull-fail.json'), ...items('events/message-pod-init-crashloop-backoff.json')].map(inDefaultNamespace);
/** Seven nodes of several clusters; ip-172-31-21-92 has MemoryPressure False and allocatable memory 16064760Ki. */
export const troubleshootNodes = (): ApiObject[] => items('nodes.json');

/** The k3d support bundle: kube-system pods (coredns of Deployment coredns, limit 170Mi), default events, node k3d-mycluster-server-0. */
export const k3dPods = (): ApiObject[] => [...supportBundle('pods/kube-system.json'), ...supportBundle('pods/default.json')];
export const k3dEvents = (): ApiObject[] => supportBundle('events/default.json');
export const k3dNodes = (): ApiObject[] => supportBundle('nodes.json');
