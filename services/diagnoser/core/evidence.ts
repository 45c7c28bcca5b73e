import type { DiagnosisRequest, Entity, Fact, Scenario, SceneSample, Severity, Suggestion } from '../../../src/codec/records.generated.js';
import type { KubernetesContext } from './kubernetes-context.js';
import { SceneView } from './scene-view.js';

/** One reading of one process's resident set. */
export interface ProcessSnapshot {
  timestampMs: number;
  rssBytes: number;
  /** Process state letter from /proc/<pid>/stat (R, S, D, Z, ...), null when the scene did not carry it. */
  state: string | null;
}

/** Every reading of one process in the scene, oldest first. A process is its pid and comm, so a reused pid is another process. */
export interface ProcessHistory {
  pid: string;
  comm: string;
  snapshots: ProcessSnapshot[];
}

/** What the rules see: the request's scene arranged by the questions rules ask of it. */
export interface Evidence {
  requestId: string;
  scenario: Scenario;
  entity: Entity;
  /** Metric of the anomaly that asked (node_memory_MemAvailable_bytes, cgroup_memory_working_set_bytes, …). */
  metric: string;
  requestedAtMs: number;
  /** Processes seen in process_rss_bytes samples, in scene order of first appearance. */
  processes: ProcessHistory[];
  /** Time of the latest process-table snapshot, undefined when the scene has none. */
  latestProcessSnapshotMs: number | undefined;
  /** Latest node_memory_MemAvailable_bytes in the scene. */
  memAvailableBytes: number | undefined;
  /** Latest node_memory_MemTotal_bytes in the scene. */
  memTotalBytes: number | undefined;
  /** Number of usable samples in the scene (finite values). */
  sampleCount: number;
  /** The whole scene, queryable (core/scene-view.ts): what every rule should read. */
  scene: SceneView;
  /** The Kubernetes API's view of the entity, when a cluster was reachable or a capture carried it. */
  kubernetes: KubernetesContext | undefined;
}

/** What a rule concludes; diagnose() ranks the findings of every rule and reports the strongest as the root cause. */
export interface Finding {
  /** Root-cause code, e.g. MEMORY_LEAK_PROCESS. */
  cause: string;
  /** One line naming the culprit. */
  summary: string;
  /** 0..1. */
  confidence: number;
  severity: Severity;
  /** Strongest first. */
  facts: Fact[];
  /** Most useful first. */
  suggestions: Suggestion[];
  /** What the rule wanted and did not have while concluding (e.g. "no cgroup samples for the pod"): the report's missingEvidence. */
  missing?: string[];
}

/** A rule that could not check its cause says what it lacked, instead of concluding nothing silently. */
export interface NotChecked {
  missing: string[];
}

/** What a rule returns: a finding, what it could not check, or undefined when its cause is ruled out. */
export type RuleOutcome = Finding | NotChecked | undefined;

/** A rule: a pure function of the evidence. A rule returning `Finding | undefined` is one. */
export type Rule = (evidence: Evidence) => RuleOutcome;

export function isFinding(outcome: RuleOutcome): outcome is Finding {
  return outcome !== undefined && 'cause' in outcome;
}

function latestValue(samples: SceneSample[], name: string): number | undefined {
  let best: SceneSample | undefined;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (!best || sample.timestampMs >= best.timestampMs) best = sample;
  }
  return best?.value;
}

/** Builds the evidence model from a request's scene. Samples with non-finite values are left out. */
export function buildEvidence(request: DiagnosisRequest, kubernetes?: KubernetesContext): Evidence {
  const scene = request.scene.filter((sample) => Number.isFinite(sample.value) && Number.isFinite(sample.timestampMs));
  const byProcess = new Map<string, ProcessHistory>();
  let latestProcessSnapshotMs: number | undefined;
  for (const sample of scene) {
    if (sample.name !== 'process_rss_bytes') continue;
    const pid = sample.labels['pid'];
    if (pid === undefined || pid === '') continue;
    const comm = sample.labels['comm'] ?? '';
    const key = `${pid}\u0000${comm}`;
    let history = byProcess.get(key);
    if (!history) {
      history = { pid, comm, snapshots: [] };
      byProcess.set(key, history);
    }
    history.snapshots.push({ timestampMs: sample.timestampMs, rssBytes: sample.value, state: sample.labels['state'] ?? null });
    if (latestProcessSnapshotMs === undefined || sample.timestampMs > latestProcessSnapshotMs) latestProcessSnapshotMs = sample.timestampMs;
  }
  for (const history of byProcess.values()) {
    history.snapshots.sort((a, b) => a.timestampMs - b.timestampMs);
    // Two readings at the same instant are one snapshot: keep the last one delivered.
    history.snapshots = history.snapshots.filter((s, i, all) => i === all.length - 1 || all[i + 1]!.timestampMs !== s.timestampMs);
  }
  return {
    requestId: request.id,
    scenario: request.scenario,
    entity: request.entity,
    metric: request.metric,
    requestedAtMs: request.requestedAtMs,
    processes: [...byProcess.values()],
    latestProcessSnapshotMs,
    memAvailableBytes: latestValue(scene, 'node_memory_MemAvailable_bytes'),
    memTotalBytes: latestValue(scene, 'node_memory_MemTotal_bytes'),
    sampleCount: scene.length,
    scene: new SceneView(scene),
    kubernetes,
  };
}

/** `python3 (pid 4242)`: how every rule names a process. */
export function processName(process: Pick<ProcessHistory, 'pid' | 'comm'>): string {
  return `${process.comm || '?'} (pid ${process.pid})`;
}
