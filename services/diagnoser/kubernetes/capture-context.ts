/**
 * The Kubernetes context of an entity from a capture made by `vigil capture`: DIR/k8s/pods.json,
 * events.json and nodes.json hold the API's own lists (PodList, EventList, NodeList) as the collector
 * saved them. Read like the live API: the pod by namespace and name, its events and its node's
 * events, its node. Never throws: absent or unreadable files are listed in `missing`, with the
 * reason meta.json gave when the capture had no cluster to ask.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesContext } from '../core/kubernetes-context.js';
import { isAbout, kubernetesContextOf, type EventJson, type NodeJson, type PodJson } from './context-from-objects.js';
import type { EntityRef } from './context-reader.js';

type Loaded<T> = { items: T[] } | { missing: string };

async function readList<T>(directory: string, file: string): Promise<Loaded<T>> {
  let text: string;
  try {
    text = await readFile(join(directory, 'k8s', file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { missing: code === 'ENOENT' ? 'absent' : `unreadable (${code ?? (error as Error).message})` };
  }
  try {
    const list = JSON.parse(text) as { items?: unknown };
    if (!Array.isArray(list.items)) return { missing: 'not a Kubernetes list (no items)' };
    return { items: list.items as T[] };
  } catch (error) {
    return { missing: `not JSON (${(error as Error).message})` };
  }
}

/** What meta.json says about k8s/ when the capture could not ask a cluster ("k8s/: no cluster configured …"). */
async function captureSaid(directory: string): Promise<string | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(directory, 'meta.json'), 'utf8')) as { missing?: unknown };
    return Array.isArray(meta.missing) ? meta.missing.find((line): line is string => typeof line === 'string' && line.startsWith('k8s/')) : undefined;
  } catch {
    return undefined;
  }
}

export async function kubernetesContextFromCapture(directory: string, entity: EntityRef): Promise<KubernetesContext> {
  const [pods, events, nodes] = await Promise.all([readList<PodJson>(directory, 'pods.json'), readList<EventJson>(directory, 'events.json'), readList<NodeJson>(directory, 'nodes.json')]);
  const missing: string[] = [];
  if ('missing' in pods && 'missing' in events && 'missing' in nodes && pods.missing === 'absent' && events.missing === 'absent' && nodes.missing === 'absent') {
    const said = await captureSaid(directory);
    return { events: [], missing: [`Kubernetes: the capture has no k8s/ (${said ? said.replace(/^k8s\/:\s*/, '') : 'not recorded'})`] };
  }
  for (const [file, loaded] of [['pods.json', pods], ['events.json', events], ['nodes.json', nodes]] as const) {
    if ('missing' in loaded) missing.push(`k8s/${file}: ${loaded.missing}`);
  }

  const { namespace, pod: podName } = entity;
  let pod: PodJson | undefined;
  if (namespace && podName && 'items' in pods) {
    pod = pods.items.find((candidate) => candidate.metadata?.namespace === namespace && candidate.metadata?.name === podName);
    if (!pod) missing.push(`pod ${namespace}/${podName}: not in k8s/pods.json (the capture lists this node's pods)`);
  }
  const nodeName = pod?.spec?.nodeName ?? entity.node ?? undefined;
  let node: NodeJson | undefined;
  if (nodeName && 'items' in nodes) {
    node = nodes.items.find((candidate) => candidate.metadata?.name === nodeName);
    if (!node) missing.push(`node ${nodeName}: not in k8s/nodes.json`);
  }
  if (!nodeName) missing.push('node: unknown (the entity names no node and no pod of the capture)');
  // A pod that is gone is still matched by name: its events outlive it.
  const subject = { pod: pod ?? (namespace && podName ? { metadata: { namespace, name: podName } } : undefined), nodeName };
  const about = 'items' in events ? events.items.filter((event) => isAbout(event, subject)) : [];
  return kubernetesContextOf({ pod, events: about, node, missing });
}
