/**
 * The pods of this node, kept current from the Kubernetes API: one list (fieldSelector
 * spec.nodeName=<node>) and then a watch from its resourceVersion, as client-go's reflector does.
 * Lookups are synchronous map reads; the directory never throws at start or at lookup, it reports
 * why it cannot answer in state().
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type http from 'node:http';
import type { Logger } from '../../../src/runtime/logger.js';
import { KubeHttpError, openKubeGet, serverOf } from './kube-http.js';
import { loadKubeClient } from './kube-client.js';

// The module is loaded only with a cluster configured (collector-setup.ts imports it on demand).
const { CoreV1Api, setHeaderMiddleware } = await loadKubeClient();

/** Who a pod's cgroup belongs to. */
export interface PodIdentity {
  namespace: string;
  pod: string;
  podUid: string;
  /** Name of the container whose id was looked up (spec name, also for init and ephemeral containers). */
  container?: string;
  /**
   * The controller ownerReference. A ReplicaSet created by a Deployment is reported as the Deployment:
   * the ReplicaSet name minus the pod's pod-template-hash label (`web-7d4b9c-x2x` → Deployment `web`),
   * because the Deployment is what people name and it survives rollouts. Other owners as they are
   * (StatefulSet, DaemonSet, Job, Node for a static pod's mirror).
   */
  ownerKind?: string;
  ownerName?: string;
}

export type PodDirectoryState =
  | { status: 'disabled'; reason: string }
  | { status: 'syncing'; reason: string }
  | { status: 'ready'; pods: number; resourceVersion: string }
  /** Lookups still answer from the last pods known (`pods`) while it retries. */
  | { status: 'error'; reason: string; pods: number; retryInMs: number };

export interface PodDirectory {
  state(): PodDirectoryState;
  /** Resolves with the first state other than 'syncing' (ready, error or disabled); never rejects. */
  ready(): Promise<PodDirectoryState>;
  /** The pod with this UID (or static-pod config hash) on this node, and the container with this id if it is one of the pod's. */
  lookup(podUid: string, containerId?: string): PodIdentity | undefined;
  /** Changes whenever a pod is added, changed or forgotten, so callers can cache lookups. */
  generation(): number;
  close(): Promise<void>;
}

export interface PodDirectoryOptions {
  /** Undefined (no cluster configured): the directory is 'disabled' and every lookup is undefined. */
  kubeConfig?: KubeConfig;
  nodeName: string;
  /** Deadline of the list request and of a watch's response headers. */
  requestTimeoutMs: number;
  logger?: Logger;
  /** How long the API server keeps one watch open (its timeoutSeconds); the next watch resumes from the last resourceVersion. */
  watchTimeoutSeconds?: number;
  /** Delay after the first failure, doubled per failure up to maxRetryDelayMs. */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/** Structural subset of a Pod, as the typed client returns it and as a watch event carries it. */
interface PodObject {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  status?: {
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
  };
}

interface ContainerStatus {
  name: string;
  containerID?: string;
  lastState?: { terminated?: { containerID?: string } };
}

interface WatchEvent {
  type?: string;
  object?: PodObject & { code?: number; message?: string };
}

/** The API said the resourceVersion is too old (HTTP 410 or an ERROR event with code 410): list again. */
class ResourceExpired extends Error {}

const mirrorAnnotation = 'kubernetes.io/config.mirror';

export function createPodDirectory(options: PodDirectoryOptions): PodDirectory {
  const { kubeConfig, nodeName, requestTimeoutMs, logger } = options;
  if (!kubeConfig) return disabledDirectory('no Kubernetes API configured (VIGIL_KUBERNETES=off, or not in a pod and no kubeconfig)');
  if (!kubeConfig.getCurrentCluster()) return disabledDirectory('the kubeconfig has no current cluster');

  const watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
  const initialRetryDelayMs = options.initialRetryDelayMs ?? 1000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
  const server = serverOf(kubeConfig);
  const fieldSelector = `spec.nodeName=${nodeName}`;
  const api = kubeConfig.makeApiClient(CoreV1Api);
  const closing = new AbortController();

  const pods = new Map<string, PodIdentity & { key: string }>(); // by namespace/name
  const byUid = new Map<string, PodIdentity>();
  const byContainerId = new Map<string, { podUid: string; container: string }>();
  let version = 0;
  let resourceVersion = '';
  let current: PodDirectoryState = { status: 'syncing', reason: `listing pods of node ${nodeName} from ${server}` };
  let settle: ((state: PodDirectoryState) => void) | undefined;
  const settled = new Promise<PodDirectoryState>((resolve) => (settle = resolve));

  function setState(next: PodDirectoryState): void {
    const before = current.status;
    current = next;
    if (next.status !== 'syncing' && settle) {
      settle(next);
      settle = undefined;
    }
    if (next.status === 'error') logger?.warn({ server, node: nodeName, reason: next.reason, retryInMs: next.retryInMs }, 'pod directory: Kubernetes API unavailable, pod labels may be missing or stale');
    else if (next.status === 'ready' && before !== 'ready') logger?.info({ server, node: nodeName, pods: next.pods }, 'pod directory: in sync with the Kubernetes API');
  }

  function upsert(pod: PodObject): void {
    const identity = identityOf(pod);
    if (!identity) return;
    forget(identity.key);
    pods.set(identity.key, identity);
    const { key: _key, ...podIdentity } = identity;
    byUid.set(identity.podUid, podIdentity);
    const mirrorOf = pod.metadata?.annotations?.[mirrorAnnotation];
    if (mirrorOf) byUid.set(mirrorOf, podIdentity);
    for (const status of allContainerStatuses(pod)) {
      for (const id of [status.containerID, status.lastState?.terminated?.containerID]) {
        const containerId = bareContainerId(id);
        if (containerId) byContainerId.set(containerId, { podUid: identity.podUid, container: status.name });
      }
    }
    version++;
  }

  function forget(key: string): void {
    const old = pods.get(key);
    if (!old) return;
    pods.delete(key);
    for (const [uid, identity] of byUid) if (identity.podUid === old.podUid) byUid.delete(uid);
    for (const [id, entry] of byContainerId) if (entry.podUid === old.podUid) byContainerId.delete(id);
    version++;
  }

  function replaceAll(items: PodObject[]): void {
    pods.clear();
    byUid.clear();
    byContainerId.clear();
    for (const pod of items) upsert(pod);
    version++;
  }

  async function list(): Promise<void> {
    // A timer we hold, not AbortSignal.timeout(): a timeout signal referenced only through
    // AbortSignal.any() can be garbage-collected before it fires, and the list then never times out.
    const deadline = new AbortController();
    const deadlineTimer = setTimeout(() => deadline.abort(), requestTimeoutMs);
    const signal = AbortSignal.any([closing.signal, deadline.signal]);
    const passThrough = setHeaderMiddleware('Accept', 'application/json');
    const withDeadline = { pre: (context: Parameters<typeof passThrough.pre>[0]) => (context.setSignal(signal), passThrough.pre(context)), post: passThrough.post };
    try {
      const podList = await api.listPodForAllNamespaces({ fieldSelector }, { middleware: [withDeadline], middlewareMergeStrategy: 'append' });
      replaceAll(podList.items as PodObject[]);
      resourceVersion = podList.metadata?.resourceVersion ?? '';
      setState({ status: 'ready', pods: pods.size, resourceVersion });
    } catch (error) {
      if (signal.aborted && !closing.signal.aborted) throw new Error(`list pods: no answer within ${requestTimeoutMs} ms`);
      throw new Error(`list pods: ${describe(error)}`);
    } finally {
      clearTimeout(deadlineTimer);
    }
  }

  /** One watch, from resourceVersion until the server ends it (resolves) or it fails (rejects). */
  async function watch(): Promise<void> {
    const connecting = new AbortController();
    const signal = AbortSignal.any([closing.signal, connecting.signal]);
    const connectTimer = setTimeout(() => connecting.abort(), requestTimeoutMs);
    let response: http.IncomingMessage;
    try {
      response = await openKubeGet(
        kubeConfig as KubeConfig,
        '/api/v1/pods',
        { fieldSelector, watch: 'true', resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(watchTimeoutSeconds) },
        signal,
      );
    } catch (error) {
      if (error instanceof KubeHttpError && error.statusCode === 410) throw new ResourceExpired(error.message);
      if (connecting.signal.aborted && !closing.signal.aborted) throw new Error(`watch pods: no answer within ${requestTimeoutMs} ms`);
      throw new Error(`watch pods: ${describe(error)}`);
    } finally {
      clearTimeout(connectTimer);
    }
    setState({ status: 'ready', pods: pods.size, resourceVersion });
    // The server ends the watch after timeoutSeconds; silence well past that means a dead connection.
    const idleLimitMs = watchTimeoutSeconds * 1000 + requestTimeoutMs;
    let idleTimer = setTimeout(() => response.destroy(new Error(`silent for ${idleLimitMs} ms`)), idleLimitMs);
    let buffered = '';
    try {
      for await (const chunk of response) {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => response.destroy(new Error(`silent for ${idleLimitMs} ms`)), idleLimitMs);
        buffered += (chunk as Buffer).toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) apply(JSON.parse(line) as WatchEvent);
        }
      }
    } catch (error) {
      if (error instanceof ResourceExpired || closing.signal.aborted) throw error;
      throw new Error(`watch pods: ${describe(error)}`);
    } finally {
      clearTimeout(idleTimer);
      response.destroy();
    }
  }

  function apply(event: WatchEvent): void {
    const object = event.object;
    if (event.type === 'ERROR') {
      if (object?.code === 410) throw new ResourceExpired(object.message ?? 'resourceVersion too old');
      throw new Error(`the API sent an error: ${object?.message ?? JSON.stringify(object)}`);
    }
    if (!object) return;
    if (event.type === 'ADDED' || event.type === 'MODIFIED') upsert(object);
    else if (event.type === 'DELETED') forget(`${object.metadata?.namespace}/${object.metadata?.name}`);
    resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
    if (current.status === 'ready') current = { status: 'ready', pods: pods.size, resourceVersion };
  }

  const loop = (async () => {
    let failures = 0;
    while (!closing.signal.aborted) {
      const startedMs = Date.now();
      try {
        if (!resourceVersion) await list();
        await watch();
        // A watch the server ended at once (a proxy closing every stream) must not turn into a busy loop.
        if (Date.now() - startedMs < 1000) await sleep(retryDelay(failures++));
        else failures = 0;
      } catch (error) {
        if (closing.signal.aborted) break;
        if (error instanceof ResourceExpired) {
          logger?.info({ server, node: nodeName, reason: error.message }, 'pod directory: resourceVersion expired, listing again');
          resourceVersion = '';
          continue;
        }
        const delayMs = retryDelay(failures++);
        setState({ status: 'error', reason: describe(error), pods: pods.size, retryInMs: delayMs });
        await sleep(delayMs);
      }
    }
  })();

  function retryDelay(failures: number): number {
    const delayMs = Math.min(maxRetryDelayMs, initialRetryDelayMs * 2 ** Math.min(failures, 30));
    return Math.round(delayMs * (0.8 + Math.random() * 0.4));
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      closing.signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        closing.signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }

  return {
    state: () => current,
    ready: () => settled,
    lookup(podUid, containerId) {
      const pod = byUid.get(podUid);
      if (!pod) return undefined;
      const container = containerId ? byContainerId.get(containerId) : undefined;
      return container && container.podUid === pod.podUid ? { ...pod, container: container.container } : pod;
    },
    generation: () => version,
    async close() {
      closing.abort();
      await loop;
      if (settle) setState({ status: 'disabled', reason: 'closed' });
    },
  };
}

function disabledDirectory(reason: string): PodDirectory {
  const state: PodDirectoryState = { status: 'disabled', reason };
  return {
    state: () => state,
    ready: async () => state,
    lookup: () => undefined,
    generation: () => 0,
    close: async () => {},
  };
}

function identityOf(pod: PodObject): (PodIdentity & { key: string }) | undefined {
  const metadata = pod.metadata;
  if (!metadata?.uid || !metadata.name || !metadata.namespace) return undefined;
  return { key: `${metadata.namespace}/${metadata.name}`, namespace: metadata.namespace, pod: metadata.name, podUid: metadata.uid, ...ownerOf(pod) };
}

function ownerOf(pod: PodObject): Pick<PodIdentity, 'ownerKind' | 'ownerName'> {
  const owner = pod.metadata?.ownerReferences?.find((reference) => reference.controller);
  if (!owner) return {};
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) {
    return { ownerKind: 'Deployment', ownerName: owner.name.slice(0, -(hash.length + 1)) };
  }
  return { ownerKind: owner.kind, ownerName: owner.name };
}

function allContainerStatuses(pod: PodObject): ContainerStatus[] {
  const status = pod.status;
  return [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? []), ...(status?.ephemeralContainerStatuses ?? [])];
}

/** `containerd://<id>`, `cri-o://<id>`, `docker://<id>` → `<id>`. */
function bareContainerId(containerID: string | undefined): string | undefined {
  if (!containerID) return undefined;
  const separator = containerID.indexOf('://');
  return separator >= 0 ? containerID.slice(separator + 3) : containerID;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // client-node's ApiException puts the whole response in its message; its code and body say enough.
    const body = (error as { body?: unknown }).body;
    if (typeof code === 'number' && body !== undefined) return `HTTP ${code}: ${statusMessage(body)}`;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** The message of a metav1.Status, whether the client parsed it or kept the text. */
function statusMessage(body: unknown): string {
  let status = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      return body.slice(0, 200);
    }
  }
  const message = typeof status === 'object' && status !== null ? (status as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : JSON.stringify(status).slice(0, 200);
}
