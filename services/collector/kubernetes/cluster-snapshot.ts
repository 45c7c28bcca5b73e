/**
 * What `vigil capture` saves of the cluster beside a node's /proc and /sys: the API's own JSON for
 * this node's pods, the events of their namespaces plus the node's own events, and the node.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { VigilError } from '../../../src/errors.js';
import { getKubeJson, serverOf } from './kube-http.js';

/** A list as the API returns it (PodList, EventList, NodeList); items are left as the server wrote them. */
export interface KubernetesList {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion?: string; [field: string]: unknown };
  items: KubernetesObjectJson[];
}

export interface KubernetesObjectJson {
  metadata?: { name?: string; namespace?: string; uid?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** Saved as k8s/pods.json, k8s/events.json and k8s/nodes.json. */
export interface ClusterSnapshot {
  pods: KubernetesList;
  events: KubernetesList;
  nodes: KubernetesList;
}

/**
 * Reads the snapshot; each request has `timeoutMs`. Throws VIGIL_SOURCE naming the server and the
 * request when the API is unreachable, refuses (RBAC: list pods, events and nodes) or answers garbage.
 */
export async function fetchClusterSnapshot(kubeConfig: KubeConfig, nodeName: string, timeoutMs: number): Promise<ClusterSnapshot> {
  const get = async (path: string, query: Record<string, string>): Promise<KubernetesList> => {
    let body: unknown;
    try {
      body = await getKubeJson(kubeConfig, path, query, timeoutMs);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new VigilError('VIGIL_SOURCE', `kubernetes: GET ${path}${describeQuery(query)} at ${serverOf(kubeConfig)} failed: ${reason}`, { cause: error, retriable: true });
    }
    if (!isList(body)) throw new VigilError('VIGIL_SOURCE', `kubernetes: GET ${path} at ${serverOf(kubeConfig)} did not return a list`);
    return body;
  };

  const [pods, nodes, nodeEvents] = await Promise.all([
    get('/api/v1/pods', { fieldSelector: `spec.nodeName=${nodeName}` }),
    get('/api/v1/nodes', { fieldSelector: `metadata.name=${nodeName}` }),
    get('/api/v1/events', { fieldSelector: `involvedObject.kind=Node,involvedObject.name=${nodeName}` }),
  ]);
  const namespaces = [...new Set(pods.items.map((pod) => pod.metadata?.namespace).filter((namespace): namespace is string => !!namespace))].sort();
  const namespaceEvents = await Promise.all(namespaces.map((namespace) => get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {})));

  const seen = new Set<string>();
  const items: KubernetesObjectJson[] = [];
  for (const event of [...namespaceEvents.flatMap((list) => list.items), ...nodeEvents.items]) {
    const key = event.metadata?.uid ?? `${event.metadata?.namespace}/${event.metadata?.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push(event);
  }
  const events: KubernetesList = { kind: 'EventList', apiVersion: 'v1', metadata: { resourceVersion: nodeEvents.metadata.resourceVersion ?? '' }, items };
  return { pods, events, nodes };
}

function isList(body: unknown): body is KubernetesList {
  if (typeof body !== 'object' || body === null) return false;
  const list = body as Partial<KubernetesList>;
  return typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items);
}

function describeQuery(query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search ? `?${decodeURIComponent(search)}` : '';
}
