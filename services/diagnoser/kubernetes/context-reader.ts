/**
 * The Kubernetes context of a diagnosis entity, read from the API server: the pod (by namespace and
 * name) with its owner, container specs and statuses, the pod's recent events, its node's
 * conditions and allocatable, and the node's events. Every request has a deadline; answers are
 * cached per entity (TTL, bounded, failures for a shorter time) and concurrent asks share one
 * fetch. It never throws: what could not be read is listed in `missing`, with the reason.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Entity } from '../../../src/codec/records.generated.js';
import { kubeConfigFrom, type KubernetesConfig } from '../../collector/kubernetes/config.js';
import { getKubeJson, serverOf } from '../../collector/kubernetes/kube-http.js';
import type { KubernetesContext } from '../core/kubernetes-context.js';
import { kubernetesContextOf, type EventJson, type NodeJson, type PodJson } from './context-from-objects.js';

/** What a context is looked up by: a pod (namespace + pod), else a node. */
export type EntityRef = Partial<Pick<Entity, 'node' | 'namespace' | 'pod'>>;

export interface KubernetesContextReader {
  contextFor(entity: EntityRef): Promise<KubernetesContext>;
}

export interface KubernetesContextReaderOptions {
  /** Undefined: no cluster; every context is empty and says `unavailable`. */
  kubeConfig: KubeConfig | undefined;
  /** Why there is no cluster, for `missing` when kubeConfig is undefined. */
  unavailable?: string;
  /** Deadline of each API request. */
  requestTimeoutMs: number;
  /** How long an answer is reused. Default 30 s. */
  ttlMs?: number;
  /** How long an answer with a failed request is reused (a down API is not asked on every diagnosis). Default 5 s. */
  failureTtlMs?: number;
  /** Entities cached at most; the least recently used goes first. Default 512. */
  maxEntries?: number;
  clock?: () => number;
}

interface ListJson<T> {
  items?: T[];
}

type Fetched<T> = { items: T[] } | { error: string };

export const noClusterReason = 'Kubernetes: no cluster configured (VIGIL_KUBECONFIG, in-cluster service account or KUBECONFIG)';

/** The reader the diagnoser's settings select (VIGIL_KUBERNETES, VIGIL_KUBECONFIG, VIGIL_KUBE_TIMEOUT_MS). A kubeconfig file that cannot be loaded is a VIGIL_CONFIG error, thrown here. */
export async function kubernetesContextReaderFrom(config: KubernetesConfig, env: NodeJS.ProcessEnv = process.env): Promise<KubernetesContextReader> {
  const kubeConfig = await kubeConfigFrom(config, env);
  return createKubernetesContextReader({
    kubeConfig,
    unavailable: config.VIGIL_KUBERNETES === 'off' ? 'Kubernetes: not asked (VIGIL_KUBERNETES=off)' : noClusterReason,
    requestTimeoutMs: config.VIGIL_KUBE_TIMEOUT_MS,
  });
}

export function createKubernetesContextReader(options: KubernetesContextReaderOptions): KubernetesContextReader {
  const { kubeConfig, requestTimeoutMs } = options;
  const ttlMs = options.ttlMs ?? 30_000;
  const failureTtlMs = options.failureTtlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 512;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, { expiresAtMs: number; context: Promise<KubernetesContext> }>();

  if (!kubeConfig) {
    const missing = options.unavailable ?? noClusterReason;
    return { contextFor: async () => ({ events: [], missing: [missing] }) };
  }
  const server = serverOf(kubeConfig);

  async function list<T>(path: string, fieldSelector: string): Promise<Fetched<T>> {
    try {
      const body = (await getKubeJson(kubeConfig as KubeConfig, path, { fieldSelector }, requestTimeoutMs)) as ListJson<T>;
      if (!body || !Array.isArray(body.items)) return { error: `${server} did not answer with a list` };
      return { items: body.items };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  async function fetchContext(entity: EntityRef): Promise<{ context: KubernetesContext; failed: boolean }> {
    const missing: string[] = [];
    let failed = false;
    const note = <T>(what: string, fetched: Fetched<T> | undefined): T[] => {
      if (!fetched) return [];
      if ('error' in fetched) {
        failed = true;
        missing.push(`${what}: ${fetched.error}`);
        return [];
      }
      return fetched.items;
    };

    const { namespace, pod: podName } = entity;
    let pod: PodJson | undefined;
    if (namespace && podName) {
      const pods = note(`pod ${namespace}/${podName}`, await list<PodJson>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, `metadata.name=${podName}`));
      pod = pods[0];
      if (!pod && !failed) missing.push(`pod ${namespace}/${podName}: not found (deleted or evicted; its events may remain)`);
    }
    const nodeName = pod?.spec?.nodeName ?? entity.node ?? undefined;
    // Events outlive their pod (an hour by default): a pod that is gone is still looked up by name.
    const uid = pod?.metadata?.uid;
    const podEventSelector = `involvedObject.kind=Pod,involvedObject.name=${podName}${uid ? `,involvedObject.uid=${uid}` : ''}`;
    const [podEvents, nodes, nodeEvents] = await Promise.all([
      namespace && podName ? list<EventJson>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, podEventSelector) : undefined,
      nodeName ? list<NodeJson>('/api/v1/nodes', `metadata.name=${nodeName}`) : undefined,
      nodeName ? list<EventJson>('/api/v1/events', `involvedObject.kind=Node,involvedObject.name=${nodeName}`) : undefined,
    ]);
    const eventsOfPod = note(`events of pod ${namespace}/${podName}`, podEvents);
    const node = note(`node ${nodeName}`, nodes)[0];
    if (nodeName && nodes && !('error' in nodes) && !node) missing.push(`node ${nodeName}: not found`);
    const events = [...eventsOfPod, ...note(`events of node ${nodeName}`, nodeEvents)];
    if (!nodeName) missing.push(namespace && podName ? 'node: unknown (the pod was not found and the entity names no node)' : 'Kubernetes: the entity names no pod and no node');
    return { context: kubernetesContextOf({ pod, events, node, missing }), failed };
  }

  function keyOf(entity: EntityRef): string {
    return entity.namespace && entity.pod ? `pod\u0000${entity.namespace}\u0000${entity.pod}\u0000${entity.node ?? ''}` : `node\u0000${entity.node ?? ''}`;
  }

  return {
    contextFor(entity) {
      const key = keyOf(entity);
      const nowMs = clock();
      const cached = cache.get(key);
      if (cached && cached.expiresAtMs > nowMs) {
        cache.delete(key);
        cache.set(key, cached);
        return cached.context;
      }
      const entry = { expiresAtMs: Number.POSITIVE_INFINITY, context: Promise.resolve<KubernetesContext>({ events: [], missing: [] }) };
      entry.context = fetchContext(entity).then(
        ({ context, failed }) => {
          entry.expiresAtMs = clock() + (failed ? failureTtlMs : ttlMs);
          return context;
        },
        (error: unknown) => {
          entry.expiresAtMs = clock() + failureTtlMs;
          return { events: [], missing: [`Kubernetes: ${error instanceof Error ? error.message : String(error)}`] };
        },
      );
      cache.delete(key);
      cache.set(key, entry);
      while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      return entry.context;
    },
  };
}
