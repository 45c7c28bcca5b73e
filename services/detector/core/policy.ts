/**
 * Which anomalies become diagnosis requests. An anomaly asks when it opens, or when it turns
 * CRITICAL after opening milder, if its rule names a scenario and its severity reaches the
 * minimum for its kind. At most one request per entity and scenario per `rateLimitMs` (by batch
 * time), except a CRITICAL one after milder ones: the culprit of a small dip is often not the one
 * that makes it grow. One request per entity, scenario and batch carries every anomaly that asked,
 * the node's scene around the entity and each anomaly's recent window; its id is a hash of the
 * anomaly ids and the scenario, so a replay gives the same request.
 */
import { deterministicId } from '../../../src/codec/ids.js';
import type { Anomaly, AnomalyKind, DiagnosisRequest, Entity, Scenario, SceneSample, Severity } from '../../../src/codec/records.generated.js';
import { severityRank } from './lifecycle.js';
import type { SceneFocus } from './scene.js';

export interface PolicyOptions {
  /** Per kind, the lowest severity that asks for a diagnosis; a kind not listed never asks. */
  minimumSeverity: Readonly<Partial<Record<AnomalyKind, Severity>>>;
  /** One request per entity and scenario in this long (escalations to CRITICAL excepted). */
  rateLimitMs: number;
  /**
   * Points of each anomalous series' recent window carried in a request. A statistically judged
   * series' window comes from its engine, which keeps values at Float32 precision (about 7
   * significant digits); the newest point is always the exact value judged.
   */
  windowPoints: number;
}

export const defaultPolicyOptions: PolicyOptions = {
  minimumSeverity: {
    SPIKE: 'WARNING', DIP: 'WARNING', LEVEL_SHIFT: 'WARNING', TREND: 'WARNING',
    HIGH_WATERMARK: 'WARNING', THRESHOLD: 'WARNING', EVENT: 'INFO',
    // Jitter alone rarely has a culprit worth a diagnosis; when it is critical it may.
    FLUCTUATION: 'CRITICAL',
  },
  rateLimitMs: 5 * 60_000,
  windowPoints: 30,
};

/** Label added to the window samples of a request: `value` (the series as published) or `rate` (per second, of a counter). */
export const windowLabel = 'vigil_window';

/** An anomaly record that may ask for a diagnosis. */
export interface Asker {
  anomaly: Anomaly;
  scenario: Scenario | undefined;
  /** The series' recent points as samples (see windowLabel). */
  window: () => SceneSample[];
}

interface Entry {
  lastRequestMs: number;
  severity: Severity;
}

export function entityKey(entity: Entity): string {
  return [entity.cluster, entity.node ?? '', entity.namespace ?? '', entity.pod ?? '', entity.container ?? ''].join('/');
}

/** One node's rate limiter and request builder. */
export class NodePolicy {
  private readonly entries = new Map<string, Entry>();
  /** Requests not sent because of the rate limit. */
  rateLimited = 0;

  constructor(private readonly options: PolicyOptions) {}

  private asks(asker: Asker): asker is Asker & { scenario: Scenario } {
    const { anomaly } = asker;
    if (!asker.scenario || anomaly.state === 'RESOLVED') return false;
    const minimum = this.options.minimumSeverity[anomaly.kind];
    if (minimum === undefined || severityRank[anomaly.severity] < severityRank[minimum]) return false;
    return anomaly.state === 'OPEN' || anomaly.severity === 'CRITICAL';
  }

  /** The requests of one batch's askers, at batch time nowMs; scene(focus) gives the node's scene. */
  requests(askers: readonly Asker[], nowMs: number, scene: (focus: SceneFocus) => SceneSample[]): DiagnosisRequest[] {
    this.expire(nowMs);
    const groups = new Map<string, (Asker & { scenario: Scenario })[]>();
    for (const asker of askers) {
      if (!this.asks(asker)) continue;
      const key = `${entityKey(asker.anomaly.entity)}\u0000${asker.scenario}`;
      groups.set(key, [...(groups.get(key) ?? []), asker]);
    }
    const out: DiagnosisRequest[] = [];
    for (const [key, group] of groups) {
      const entry = this.entries.get(key);
      const critical = group.some((asker) => asker.anomaly.severity === 'CRITICAL');
      if (entry && !(critical && entry.severity !== 'CRITICAL')) {
        this.rateLimited++;
        continue;
      }
      const sorted = [...group].sort((a, b) => (a.anomaly.series < b.anomaly.series ? -1 : a.anomaly.series > b.anomaly.series ? 1 : 0));
      const first = sorted[0]!;
      const anomalyIds = sorted.map((asker) => asker.anomaly.id);
      const labels = first.anomaly.labels;
      const focus: SceneFocus = { cgroup: labels['cgroup'] ?? labels['task_memcg'] ?? labels['memcg'], namespace: first.anomaly.entity.namespace ?? undefined, pod: first.anomaly.entity.pod ?? undefined };
      out.push({
        id: sorted.every((asker) => asker.anomaly.state === 'OPEN') ? deterministicId(...anomalyIds, first.scenario) : deterministicId(...anomalyIds, first.scenario, 'ESCALATED'),
        anomalyIds,
        entity: first.anomaly.entity,
        scenario: first.scenario,
        metric: first.anomaly.metric,
        requestedAtMs: first.anomaly.observedAtMs,
        scene: [...scene(focus), ...sorted.flatMap((asker) => asker.window())],
      });
      this.entries.set(key, { lastRequestMs: nowMs, severity: critical ? 'CRITICAL' : (entry?.severity ?? 'WARNING') });
    }
    return out;
  }

  /** Forgets the entries whose window has passed by nowMs. */
  expire(nowMs: number): void {
    for (const [key, entry] of this.entries) if (nowMs - entry.lastRequestMs >= this.options.rateLimitMs) this.entries.delete(key);
  }

  /** The rate limiter as plain data, for snapshots. */
  save(): SavedPolicy {
    return { entries: [...this.entries], rateLimited: this.rateLimited };
  }

  static restore(options: PolicyOptions, saved: SavedPolicy): NodePolicy {
    const policy = new NodePolicy(options);
    for (const [key, entry] of saved.entries) policy.entries.set(key, entry);
    policy.rateLimited = saved.rateLimited;
    return policy;
  }
}

export interface SavedPolicy {
  entries: [string, { lastRequestMs: number; severity: Severity }][];
  rateLimited: number;
}
