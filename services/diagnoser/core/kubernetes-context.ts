/**
 * What the Kubernetes API says about the entity of a diagnosis, reduced to what rules read. Filled by
 * the diagnoser's adapter through @kubernetes/client-node when a cluster is reachable (cached, with
 * deadlines), read from a capture's k8s/*.json by `vigil diagnose DIR`, absent otherwise — rules
 * must work without it and say what they could not see.
 */
export interface ContainerSpecContext {
  name: string;
  /** Requests and limits as the API gives them (quantities: "500m", "256Mi"), and parsed. */
  requests: { cpu?: string; memory?: string };
  limits: { cpu?: string; memory?: string };
  cpuRequestCores?: number;
  cpuLimitCores?: number;
  memoryRequestBytes?: number;
  memoryLimitBytes?: number;
  /** command + args joined, and env as NAME=value (JVM flags live in either, e.g. -Xmx, JAVA_TOOL_OPTIONS). */
  commandLine: string;
  env: string[];
}

export interface ContainerStatusContext {
  name: string;
  restartCount: number;
  /** waiting (with reason: CrashLoopBackOff, …), running or terminated (reason OOMKilled, exit code). */
  state: { kind: 'waiting' | 'running' | 'terminated' | 'unknown'; reason?: string; exitCode?: number; atMs?: number };
  lastState?: { kind: 'terminated'; reason?: string; exitCode?: number; finishedAtMs?: number };
}

export interface EventContext {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastSeenMs?: number;
  /** kind/name of the object, e.g. Pod/cart-7d9f. */
  object: string;
}

export interface NodeConditionContext {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface KubernetesContext {
  pod?: {
    namespace: string;
    name: string;
    uid: string;
    ownerKind?: string;
    ownerName?: string;
    qosClass?: string;
    phase?: string;
    /** Status reason, e.g. Evicted, with its message. */
    reason?: string;
    message?: string;
    containers: ContainerSpecContext[];
    statuses: ContainerStatusContext[];
  };
  events: EventContext[];
  node?: { name: string; conditions: NodeConditionContext[]; allocatableMemoryBytes?: number; allocatableCpuCores?: number };
  /** What could not be read and why ("no cluster configured", "pods: no answer within 5000 ms"). */
  missing: string[];
}
