/**
 * A local HTTP server answering the few Kubernetes API requests the collector makes, the way the
 * API server answers them, so tests run the real @kubernetes/client-node against it:
 * - GET /api/v1/<resource> and /api/v1/namespaces/<ns>/<resource> (pods, nodes, events): a
 *   `<Kind>List` with metadata.resourceVersion, items without kind/apiVersion, filtered by
 *   fieldSelector (`a.b=value,c=value`, the equality form the collector uses);
 * - the same with watch=true: status 200, a chunked stream of newline-delimited
 *   `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}` events (objects with kind and
 *   apiVersion), first the events after the requested resourceVersion, then new ones; an ERROR event
 *   with a 410 Status when that resourceVersion is older than the history kept; the stream ends
 *   after timeoutSeconds;
 * - every stored object is validated against the API's OpenAPI schema (kubernetes-models) and
 *   gets a new metadata.resourceVersion on each write, as etcd-backed storage does.
 */
import { Event, Node, Pod } from 'kubernetes-models/v1';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig as KubeConfigType } from '@kubernetes/client-node';
import { loadKubeClient } from '../kube-client.js';

// The client the services load (the tree-shaken bundle when built), so these tests exercise it.
const { KubeConfig } = await loadKubeClient();

export type ApiObject = { metadata: { name: string; namespace?: string; resourceVersion?: string; [field: string]: unknown }; [field: string]: unknown };
type Resource = 'pods' | 'nodes' | 'events';

const kinds: Record<Resource, { kind: string; validate: (object: ApiObject) => void }> = {
  pods: { kind: 'Pod', validate: (object) => new Pod(object as never).validate() },
  nodes: { kind: 'Node', validate: (object) => new Node(object as never).validate() },
  events: { kind: 'Event', validate: (object) => new Event(object as never).validate() },
};

interface WatchStream {
  resource: Resource;
  namespace?: string;
  selector: (object: ApiObject) => boolean;
  response: http.ServerResponse;
}

export interface FakeKubeApi {
  readonly url: string;
  /** Every request the server received, in order (path and query as sent). */
  readonly requests: { url: URL; authorization?: string }[];
  /** While true, requests are accepted and never answered (an overloaded or wedged API server). */
  hang: boolean;
  /** A KubeConfig for this server, with a bearer token the server records. */
  kubeConfig(): KubeConfigType;
  put(resource: Resource, object: ApiObject): void;
  remove(resource: Resource, namespace: string | undefined, name: string): void;
  /** Ends every open watch normally, as the API server does at timeoutSeconds. */
  endWatches(): void;
  /** Forgets the event history: a watch from an older resourceVersion gets `410 Expired`. */
  compactHistory(): void;
  openWatches(): number;
  close(): Promise<void>;
}

export async function startFakeKubeApi(initial: Partial<Record<Resource, ApiObject[]>>): Promise<FakeKubeApi> {
  const store: Record<Resource, Map<string, ApiObject>> = { pods: new Map(), nodes: new Map(), events: new Map() };
  const history: { resourceVersion: number; resource: Resource; type: string; object: ApiObject }[] = [];
  const watches = new Set<WatchStream>();
  const hanging = new Set<http.ServerResponse>();
  const requests: FakeKubeApi['requests'] = [];
  let historyFloor = 0;
  let resourceVersion = 0;

  const keyOf = (object: ApiObject): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
  for (const [resource, objects] of Object.entries(initial) as [Resource, ApiObject[]][]) {
    for (const object of objects) {
      kinds[resource].validate(withKind(resource, object));
      store[resource].set(keyOf(object), structuredClone(object));
      resourceVersion = Math.max(resourceVersion, Number(object.metadata.resourceVersion ?? 0));
    }
  }
  historyFloor = resourceVersion;

  function withKind(resource: Resource, object: ApiObject): ApiObject {
    return { apiVersion: 'v1', kind: kinds[resource].kind, ...object };
  }

  function emit(resource: Resource, type: string, object: ApiObject): void {
    history.push({ resourceVersion: Number(object.metadata.resourceVersion), resource, type, object });
    for (const watch of watches) {
      if (watch.resource === resource && matches(watch, object)) send(watch.response, type, withKind(resource, object));
    }
  }

  function matches(watch: Pick<WatchStream, 'namespace' | 'selector'>, object: ApiObject): boolean {
    return (watch.namespace === undefined || object.metadata.namespace === watch.namespace) && watch.selector(object);
  }

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push({ url, authorization: request.headers.authorization });
    if (api.hang) {
      hanging.add(response);
      return;
    }
    const route = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?(pods|nodes|events)$/.exec(url.pathname);
    if (request.method !== 'GET' || !route) return status(response, 404, 'NotFound', `the server could not find the requested resource`);
    const namespace = route[1] === undefined ? undefined : decodeURIComponent(route[1]);
    const resource = route[2] as Resource;
    const selector = fieldSelector(url.searchParams.get('fieldSelector'));
    if (url.searchParams.get('watch') === 'true') return watch(url, { resource, namespace, selector, response });
    const items = [...store[resource].values()].filter((object) => matches({ namespace, selector }, object));
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ kind: `${kinds[resource].kind}List`, apiVersion: 'v1', metadata: { resourceVersion: String(resourceVersion) }, items }));
  });

  function watch(url: URL, stream: WatchStream): void {
    const from = Number(url.searchParams.get('resourceVersion') ?? resourceVersion);
    stream.response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    stream.response.flushHeaders();
    if (from < historyFloor) {
      send(stream.response, 'ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${historyFloor})`, reason: 'Expired', code: 410 } as never);
      stream.response.end();
      return;
    }
    for (const event of history) {
      if (event.resourceVersion > from && event.resource === stream.resource && matches(stream, event.object)) send(stream.response, event.type, withKind(stream.resource, event.object));
    }
    watches.add(stream);
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? 1800);
    const timer = setTimeout(() => endWatch(stream), timeoutSeconds * 1000);
    stream.response.on('close', () => {
      clearTimeout(timer);
      watches.delete(stream);
    });
  }

  function endWatch(stream: WatchStream): void {
    watches.delete(stream);
    stream.response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const api: FakeKubeApi = {
    url,
    requests,
    hang: false,
    kubeConfig() {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'collector', token: 'fake-token' }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'collector' }],
        currentContext: 'fake',
      });
      return kubeConfig;
    },
    put(resource, object) {
      const stored = structuredClone(object);
      stored.metadata.resourceVersion = String(++resourceVersion);
      kinds[resource].validate(withKind(resource, stored));
      const existed = store[resource].has(keyOf(stored));
      store[resource].set(keyOf(stored), stored);
      emit(resource, existed ? 'MODIFIED' : 'ADDED', stored);
    },
    remove(resource, namespace, name) {
      const key = `${namespace ?? ''}/${name}`;
      const object = store[resource].get(key);
      if (!object) return;
      store[resource].delete(key);
      const deleted = structuredClone(object);
      deleted.metadata.resourceVersion = String(++resourceVersion);
      emit(resource, 'DELETED', deleted);
    },
    endWatches() {
      for (const watch of watches) endWatch(watch);
    },
    compactHistory() {
      history.length = 0;
      historyFloor = resourceVersion;
    },
    openWatches: () => watches.size,
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

function send(response: http.ServerResponse, type: string, object: ApiObject): void {
  response.write(`${JSON.stringify({ type, object })}\n`);
}

function status(response: http.ServerResponse, code: number, reason: string, message: string): void {
  response.writeHead(code, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

/** `spec.nodeName=a,metadata.name=b` → a predicate; `!=` and set forms are not needed here. */
function fieldSelector(selector: string | null): (object: ApiObject) => boolean {
  if (!selector) return () => true;
  const terms = selector.split(',').map((term) => {
    const [path, value] = term.split('=') as [string, string];
    return { path: path.split('.'), value };
  });
  return (object) =>
    terms.every(({ path, value }) => {
      const found = path.reduce<unknown>((node, field) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[field] : undefined), object);
      return (found ?? '') === value;
    });
}
