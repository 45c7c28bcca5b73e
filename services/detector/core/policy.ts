/**
 * Which opened anomalies ask for a diagnosis, and with what scenario. One request per node,
 * scenario and batch, carrying every anomaly of that scenario opened by the batch and the node's
 * scene; its id is a hash of the anomaly ids and the scenario, so a replay gives the same request.
 */
import { deterministicId } from '../../../src/codec/ids.js';
import type { Anomaly, AnomalyKind, DiagnosisRequest, SceneSample, Scenario } from '../../../src/codec/records.generated.js';

export interface DiagnosisTrigger {
  scenario: Scenario;
  metric: string | RegExp;
  kinds: readonly AnomalyKind[];
}

export const defaultDiagnosisTriggers: readonly DiagnosisTrigger[] = [
  { scenario: 'MEMORY', metric: 'node_memory_MemAvailable_bytes', kinds: ['DIP', 'TREND', 'THRESHOLD'] },
  { scenario: 'MEMORY', metric: /^node_memory_/, kinds: ['THRESHOLD'] },
];

export function scenarioOf(anomaly: Anomaly, triggers: readonly DiagnosisTrigger[] = defaultDiagnosisTriggers): Scenario | undefined {
  const trigger = triggers.find((t) => (typeof t.metric === 'string' ? t.metric === anomaly.metric : t.metric.test(anomaly.metric)) && t.kinds.includes(anomaly.kind));
  return trigger?.scenario;
}

/**
 * Requests for the anomalies of one node's batch that ask for a diagnosis: those that opened, and
 * those that turned CRITICAL after opening milder (the UPDATE records handed in by the detector),
 * because the culprit of a small dip (a process starting) is often not the one that makes it grow.
 */
export function diagnosisRequests(anomalies: readonly Anomaly[], scene: SceneSample[], triggers: readonly DiagnosisTrigger[] = defaultDiagnosisTriggers): DiagnosisRequest[] {
  const byScenario = new Map<Scenario, Anomaly[]>();
  for (const anomaly of anomalies) {
    if (anomaly.state === 'RESOLVED') continue;
    const scenario = scenarioOf(anomaly, triggers);
    if (!scenario) continue;
    byScenario.set(scenario, [...(byScenario.get(scenario) ?? []), anomaly]);
  }
  return [...byScenario].map(([scenario, opened]) => {
    const sorted = [...opened].sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : 0));
    const first = sorted[0]!;
    const anomalyIds = sorted.map((a) => a.id);
    return {
      id: sorted.every((a) => a.state === 'OPEN') ? deterministicId(...anomalyIds, scenario) : deterministicId(...anomalyIds, scenario, 'ESCALATED'),
      anomalyIds,
      entity: first.entity,
      scenario,
      metric: first.metric,
      requestedAtMs: first.observedAtMs,
      scene,
    };
  });
}
