/**
 * The labels routes, silences and inhibit rules match on, taken from the records the notifier
 * consumes: cluster, node, namespace, pod, container, severity, scenario, kind, cause (absent
 * values are left out, so `pod=""` means "not about a pod").
 */
import type { DiagnosisReport, Entity } from '../../../../src/codec/records.generated.js';
import type { Alert } from './alert.js';
import type { Labels } from './matchers.js';

export function entityLabels(entity: Entity): Record<string, string> {
  const labels: Record<string, string> = { cluster: entity.cluster };
  for (const name of ['node', 'namespace', 'pod', 'container'] as const) {
    const value = entity[name];
    if (value) labels[name] = value;
  }
  return labels;
}

export function reportLabels(report: DiagnosisReport): Labels {
  return { ...entityLabels(report.entity), severity: report.severity, scenario: report.scenario, kind: 'diagnosis', cause: report.rootCause.code };
}

/** A report fires from its anomalous point; reports have no resolution of their own. */
export function alertFromReport(report: DiagnosisReport): Alert {
  return { labels: reportLabels(report), startsAtMs: report.createdAtMs, resolvedAtMs: null, sourceId: report.id };
}
