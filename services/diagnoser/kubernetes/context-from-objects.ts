/**
 * API objects (Pod, Event, Node as the API serves them in JSON) → the KubernetesContext rules read.
 * Pure: the same function serves the live API client and `vigil diagnose DIR` (a capture's
 * k8s/*.json). Fields the objects lack are left out, never guessed.
 */
import type { ContainerSpecContext, ContainerStatusContext, EventContext, KubernetesContext, NodeConditionContext } from '../core/kubernetes-context.js';
import { parseQuantity } from './quantity.js';

/** The parts of a Pod the context reads (JSON as the API sends it: times are RFC 3339 strings). */
export interface PodJson {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind?: string; name?: string; controller?: boolean }[];
  };
  spec?: { nodeName?: string; containers?: ContainerJson[] };
  status?: { phase?: string; reason?: string; message?: string; qosClass?: string; containerStatuses?: ContainerStatusJson[] };
}

interface ContainerJson {
  name?: string;
  command?: string[];
  args?: string[];
  env?: { name?: string; value?: string; valueFrom?: Record<string, { name?: string; key?: string; fieldPath?: string; resource?: string } | undefined> }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface StateJson {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; startedAt?: string; finishedAt?: string };
}

interface ContainerStatusJson {
  name?: string;
  restartCount?: number;
  state?: StateJson;
  lastState?: StateJson;
}

export interface EventJson {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
}

export interface NodeJson {
  metadata?: { name?: string };
  status?: {
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    allocatable?: Record<string, string>;
  };
}

/** Events kept per context, most recent first. */
export const maxEvents = 50;

/** Environment variables whose values are left out of reports (they often hold credentials). */
const secretName = /pass|secret|token|credential|private|api_?key|access_?key/i;

function timeMs(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

function defined<T extends object>(object: T): T {
  for (const key of Object.keys(object) as (keyof T)[]) if (object[key] === undefined) delete object[key];
  return object;
}

/**
 * The controller owner as people name it: a ReplicaSet made by a Deployment is reported as the
 * Deployment (the ReplicaSet name minus the pod's pod-template-hash label, which only the Deployment
 * controller sets), so no ReplicaSet request, and no RBAC on apps/v1, is needed.
 */
export function ownerOf(pod: PodJson): { kind?: string; name?: string } {
  const references = pod.metadata?.ownerReferences ?? [];
  const owner = references.find((reference) => reference.controller) ?? references[0];
  if (!owner?.kind || !owner.name) return {};
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
  return { kind: owner.kind, name: owner.name };
}

function envLine(variable: NonNullable<ContainerJson['env']>[number]): string {
  const name = variable.name ?? '';
  if (variable.valueFrom) {
    const [source, reference] = Object.entries(variable.valueFrom).find(([, value]) => value !== undefined) ?? ['valueFrom', undefined];
    const detail = reference ? (reference.fieldPath ?? reference.resource ?? [reference.name, reference.key].filter(Boolean).join('/')) : '';
    return `${name}=(from ${source}${detail ? ` ${detail}` : ''})`;
  }
  return secretName.test(name) ? `${name}=(redacted)` : `${name}=${variable.value ?? ''}`;
}

function containerSpec(container: ContainerJson): ContainerSpecContext {
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  return defined({
    name: container.name ?? '',
    requests: defined({ cpu: requests.cpu, memory: requests.memory }),
    limits: defined({ cpu: limits.cpu, memory: limits.memory }),
    cpuRequestCores: parseQuantity(requests.cpu),
    cpuLimitCores: parseQuantity(limits.cpu),
    memoryRequestBytes: parseQuantity(requests.memory),
    memoryLimitBytes: parseQuantity(limits.memory),
    commandLine: [...(container.command ?? []), ...(container.args ?? [])].join(' '),
    env: (container.env ?? []).map(envLine),
  });
}

function stateOf(state: StateJson | undefined): ContainerStatusContext['state'] {
  if (state?.terminated) return defined({ kind: 'terminated' as const, reason: state.terminated.reason, exitCode: state.terminated.exitCode, atMs: timeMs(state.terminated.finishedAt ?? state.terminated.startedAt) });
  if (state?.waiting) return defined({ kind: 'waiting' as const, reason: state.waiting.reason });
  if (state?.running) return defined({ kind: 'running' as const, atMs: timeMs(state.running.startedAt) });
  return { kind: 'unknown' };
}

function containerStatus(status: ContainerStatusJson): ContainerStatusContext {
  const last = status.lastState?.terminated;
  return defined({
    name: status.name ?? '',
    restartCount: status.restartCount ?? 0,
    state: stateOf(status.state),
    lastState: last ? defined({ kind: 'terminated' as const, reason: last.reason, exitCode: last.exitCode, finishedAtMs: timeMs(last.finishedAt) }) : undefined,
  });
}

/** The pod part of the context: identity, owner, QoS, phase, container specs (main containers) and their statuses. */
export function podContext(pod: PodJson): NonNullable<KubernetesContext['pod']> {
  const owner = ownerOf(pod);
  return defined({
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    ownerKind: owner.kind,
    ownerName: owner.name,
    qosClass: pod.status?.qosClass,
    phase: pod.status?.phase,
    reason: pod.status?.reason,
    message: pod.status?.message,
    containers: (pod.spec?.containers ?? []).map(containerSpec),
    statuses: (pod.status?.containerStatuses ?? []).map(containerStatus),
  });
}

export function eventContext(event: EventJson): EventContext {
  const object = event.involvedObject;
  return defined({
    type: event.type ?? '',
    reason: event.reason ?? '',
    message: event.message ?? '',
    count: event.count ?? event.series?.count ?? 1,
    lastSeenMs: timeMs(event.lastTimestamp ?? event.series?.lastObservedTime ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp),
    object: `${object?.kind ?? '?'}/${object?.name ?? '?'}`,
  });
}

/** Events most recent first (undated ones last, in their given order), at most `maxEvents`. */
export function recentEvents(events: EventJson[]): EventContext[] {
  return events
    .map(eventContext)
    .map((event, index) => ({ event, index }))
    .sort((a, b) => (b.event.lastSeenMs ?? -Infinity) - (a.event.lastSeenMs ?? -Infinity) || a.index - b.index)
    .slice(0, maxEvents)
    .map(({ event }) => event);
}

export function nodeContext(node: NodeJson): NonNullable<KubernetesContext['node']> {
  const conditions: NodeConditionContext[] = (node.status?.conditions ?? []).map((condition) =>
    defined({ type: condition.type ?? '', status: condition.status ?? '', reason: condition.reason, message: condition.message }),
  );
  return defined({
    name: node.metadata?.name ?? '',
    conditions,
    allocatableMemoryBytes: parseQuantity(node.status?.allocatable?.memory),
    allocatableCpuCores: parseQuantity(node.status?.allocatable?.cpu),
  });
}

/** Whether an event is about this pod (by uid when both have one: a recreated pod of the same name is another pod) or this node. */
export function isAbout(event: EventJson, subject: { pod?: PodJson; nodeName?: string }): boolean {
  const object = event.involvedObject;
  if (!object) return false;
  const pod = subject.pod?.metadata;
  if (pod && object.kind === 'Pod' && object.name === pod.name && (object.namespace ?? event.metadata?.namespace) === pod.namespace) {
    return !object.uid || !pod.uid || object.uid === pod.uid;
  }
  return subject.nodeName !== undefined && object.kind === 'Node' && object.name === subject.nodeName;
}

/** The context from the objects found; `missing` says what was looked for and not found or not readable. */
export function kubernetesContextOf(found: { pod?: PodJson; events: EventJson[]; node?: NodeJson; missing: string[] }): KubernetesContext {
  return defined({
    pod: found.pod ? podContext(found.pod) : undefined,
    events: recentEvents(found.events),
    node: found.node ? nodeContext(found.node) : undefined,
    missing: [...found.missing],
  });
}
