import type {
  Anomaly,
  DiagnosisReport,
  Entity,
  HealthGrade,
  HealthItem,
  HealthLevel,
  HealthUpdate,
  Severity,
} from '../../../src/codec/records.generated.js';
import { deterministicId } from '../../../src/codec/ids.js';

/**
 * The health model turns anomaly steps and diagnosis reports into node and cluster scores.
 * Node score = 100 minus the deductions of its open anomalies (by severity) and of its reports of
 * the last `reportWindowMs` of event time (severity × confidence), floored at 0. A cluster scores
 * the mean of its nodes minus what cluster-wide anomalies and reports (entity.node = null) cost.
 *
 * Time is event time only: the model's clock is the latest event time it has seen (its
 * watermark), so reports expire when a later event arrives, never by wall clock.
 */
export interface HealthModelOptions {
  /** Points an open anomaly costs by severity. */
  anomalyDeductions?: Partial<Record<Severity, number>>;
  /** Points a report costs by severity, multiplied by its confidence. */
  reportDeductions?: Partial<Record<Severity, number>>;
  /** How long a report keeps costing points, in event time. */
  reportWindowMs?: number;
  /** Nodes (and clusters' own scopes) kept; the least recently touched is forgotten beyond it. */
  maxScopes?: number;
  /** Open anomalies and live reports kept per node; the oldest is forgotten beyond it. */
  maxChargesPerScope?: number;
  /** Resolved anomaly ids remembered, so a redelivered OPEN of a resolved anomaly does not reopen it. */
  maxResolvedAnomalies?: number;
  /** Node items listed in a cluster update. */
  maxClusterItems?: number;
}

export interface HealthModel {
  onAnomaly(anomaly: Anomaly): HealthUpdate[];
  onReport(report: DiagnosisReport): HealthUpdate[];
}

export const defaultDeductions: Readonly<Record<Severity, number>> = { INFO: 2, WARNING: 10, CRITICAL: 25 };

export function gradeOf(score: number): HealthGrade {
  if (score >= 90) return 'HEALTHY';
  if (score >= 70) return 'SUBHEALTHY';
  if (score >= 50) return 'UNHEALTHY';
  return 'CRITICAL';
}

interface Charge extends HealthItem {
  /** Event time of the step that set this charge (anomaly observedAtMs, report createdAtMs). */
  atMs: number;
}

/** A node, or a cluster's own scope (node = null) for cluster-wide anomalies and reports. */
interface Scope {
  cluster: string;
  node: string | null;
  anomalies: Map<string, Charge>;
  reports: Map<string, Charge>;
  score: number;
  items: HealthItem[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const compact = (value: number) => String(Number(value.toPrecision(4)));
const scopeKey = (cluster: string, node: string | null) => `${cluster}\u0000${node ?? ''}`;

function entityOf(cluster: string, node: string | null): Entity {
  return { cluster, node, namespace: null, pod: null, container: null };
}

function entityLabel(entity: Entity): string {
  return [entity.cluster, entity.node, entity.namespace, entity.pod, entity.container].filter((part) => part !== null).join('/');
}

function byDeduction(a: HealthItem, b: HealthItem): number {
  return b.deduction - a.deduction || a.sourceId.localeCompare(b.sourceId);
}

function toItem({ code, description, deduction, sourceId }: Charge): HealthItem {
  return { code, description, deduction, sourceId };
}

function evictOldest(charges: Map<string, Charge>, max: number): void {
  while (charges.size > max) {
    let oldestId: string | undefined;
    let oldestMs = Infinity;
    for (const [id, charge] of charges) {
      if (charge.atMs < oldestMs) {
        oldestMs = charge.atMs;
        oldestId = id;
      }
    }
    charges.delete(oldestId!);
  }
}

export function createHealthModel(options: HealthModelOptions = {}): HealthModel {
  const anomalyDeductions = { ...defaultDeductions, ...options.anomalyDeductions };
  const reportDeductions = { ...defaultDeductions, ...options.reportDeductions };
  const reportWindowMs = options.reportWindowMs ?? 10 * 60_000;
  const maxScopes = options.maxScopes ?? 10_000;
  const maxChargesPerScope = options.maxChargesPerScope ?? 256;
  const maxResolvedAnomalies = options.maxResolvedAnomalies ?? 100_000;
  const maxClusterItems = options.maxClusterItems ?? 50;

  /** Insertion order = least recently touched first. */
  const scopes = new Map<string, Scope>();
  const scopesWithReports = new Set<string>();
  const resolvedAnomalies = new Set<string>();
  const clusterScores = new Map<string, number>();
  let watermarkMs = -Infinity;

  function touch(cluster: string, node: string | null): Scope {
    const key = scopeKey(cluster, node);
    let scope = scopes.get(key);
    if (scope) scopes.delete(key);
    else scope = { cluster, node, anomalies: new Map(), reports: new Map(), score: 100, items: [] };
    scopes.set(key, scope);
    while (scopes.size > maxScopes) {
      const [oldestKey] = scopes.keys();
      scopes.delete(oldestKey!);
      scopesWithReports.delete(oldestKey!);
    }
    return scope;
  }

  function rescore(scope: Scope): boolean {
    const items = [...scope.anomalies.values(), ...scope.reports.values()].map(toItem).sort(byDeduction);
    const score = Math.max(0, round2(100 - items.reduce((sum, item) => sum + item.deduction, 0)));
    // A new explanation is news even when the score cannot move (already 0, or a change that cancels out).
    const sameItems = items.length === scope.items.length && items.every((item, i) => item.sourceId === scope.items[i]!.sourceId && item.deduction === scope.items[i]!.deduction);
    scope.items = items;
    if (score === scope.score && sameItems) return false;
    scope.score = score;
    return true;
  }

  function update(entity: Entity, level: HealthLevel, score: number, items: HealthItem[]): HealthUpdate {
    const timestampMs = watermarkMs;
    return { id: deterministicId(entityLabel(entity), timestampMs, score), entity, level, score, grade: gradeOf(score), items, timestampMs };
  }

  function clusterUpdate(cluster: string): HealthUpdate | undefined {
    const nodes = [...scopes.values()].filter((s) => s.cluster === cluster && s.node !== null);
    const own = scopes.get(scopeKey(cluster, null));
    const meanNodeScore = nodes.length === 0 ? 100 : nodes.reduce((sum, s) => sum + s.score, 0) / nodes.length;
    const score = Math.max(0, round2(meanNodeScore - (100 - (own?.score ?? 100))));
    if (score === (clusterScores.get(cluster) ?? 100)) return undefined;
    clusterScores.set(cluster, score);
    const nodeItems: HealthItem[] = nodes
      .filter((s) => s.score < 100)
      .map((s) => {
        const worst = s.items[0];
        return {
          code: 'NODE_SCORE',
          description: `node ${s.node} scores ${compact(s.score)} (${gradeOf(s.score)})${worst ? `: ${worst.description}` : ''}`,
          deduction: round2((100 - s.score) / nodes.length),
          sourceId: worst?.sourceId ?? '',
        };
      });
    const items = [...(own?.items ?? []), ...nodeItems].sort(byDeduction).slice(0, maxClusterItems);
    return update(entityOf(cluster, null), 'CLUSTER', score, items);
  }

  /** Advances event time, expires reports, rescores what changed and emits node then cluster updates. */
  function apply(eventMs: number, change: () => Scope | undefined): HealthUpdate[] {
    if (eventMs > watermarkMs) watermarkMs = eventMs;
    const touched = new Set<Scope>();
    const changedScope = change();
    if (changedScope) touched.add(changedScope);
    for (const key of scopesWithReports) {
      const scope = scopes.get(key)!;
      for (const [id, report] of scope.reports) {
        if (report.atMs <= watermarkMs - reportWindowMs) {
          scope.reports.delete(id);
          touched.add(scope);
        }
      }
      if (scope.reports.size === 0) scopesWithReports.delete(key);
    }
    const updates: HealthUpdate[] = [];
    const clusters = new Set<string>();
    for (const scope of touched) {
      if (!rescore(scope)) continue;
      clusters.add(scope.cluster);
      if (scope.node !== null) updates.push(update(entityOf(scope.cluster, scope.node), 'NODE', scope.score, scope.items));
    }
    for (const cluster of clusters) {
      const clusterChange = clusterUpdate(cluster);
      if (clusterChange) updates.push(clusterChange);
    }
    return updates;
  }

  function rememberResolved(id: string): void {
    resolvedAnomalies.delete(id);
    resolvedAnomalies.add(id);
    while (resolvedAnomalies.size > maxResolvedAnomalies) {
      const [oldest] = resolvedAnomalies;
      resolvedAnomalies.delete(oldest!);
    }
  }

  return {
    onAnomaly(anomaly) {
      return apply(anomaly.observedAtMs, () => {
        if (resolvedAnomalies.has(anomaly.id)) return undefined;
        const scope = touch(anomaly.entity.cluster, anomaly.entity.node);
        const current = scope.anomalies.get(anomaly.id);
        if (current && current.atMs > anomaly.observedAtMs) return undefined;
        if (anomaly.state === 'RESOLVED') {
          scope.anomalies.delete(anomaly.id);
          rememberResolved(anomaly.id);
          return scope;
        }
        const where = anomaly.entity.pod ? ` in pod ${anomaly.entity.namespace ?? ''}/${anomaly.entity.pod}` : '';
        scope.anomalies.set(anomaly.id, {
          code: 'ANOMALY_OPEN',
          description: `${anomaly.severity} ${anomaly.kind} on ${anomaly.series}${where}: ${compact(anomaly.value)} outside ${compact(anomaly.expectedLow)}..${compact(anomaly.expectedHigh)}`,
          deduction: anomalyDeductions[anomaly.severity],
          sourceId: anomaly.id,
          atMs: anomaly.observedAtMs,
        });
        evictOldest(scope.anomalies, maxChargesPerScope);
        return scope;
      });
    },

    onReport(report) {
      return apply(report.createdAtMs, () => {
        if (report.createdAtMs <= watermarkMs - reportWindowMs) return undefined;
        const scope = touch(report.entity.cluster, report.entity.node);
        if (scope.reports.has(report.id)) return undefined;
        scope.reports.set(report.id, {
          code: 'DIAGNOSIS_REPORT',
          description: `${report.severity} ${report.rootCause.code}: ${report.rootCause.summary} (confidence ${report.confidence.toFixed(2)})`,
          deduction: round2(reportDeductions[report.severity] * Math.min(1, Math.max(0, report.confidence))),
          sourceId: report.id,
          atMs: report.createdAtMs,
        });
        evictOldest(scope.reports, maxChargesPerScope);
        scopesWithReports.add(scopeKey(scope.cluster, scope.node));
        return scope;
      });
    },
  };
}
