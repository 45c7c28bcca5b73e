/**
 * What the console's pages show besides scores: the anomalies of the last hours with the steps
 * of their series against the expected band, and the latest diagnosis reports. Pure and bounded:
 * anomaly steps and reports in, queries out; time is the latest event time seen (the watermark).
 *
 * An anomaly counts as open until its RESOLVED step, or until it had no step for `staleAfterMs`
 * (the scorer stops charging it then too). Resolved anomalies stay listed (for the node timeline)
 * until `maxResolvedAnomalies` newer ones resolved.
 */
import type { Anomaly, AnomalyKind, AnomalyState, DiagnosisReport, Entity, RootCause, Scenario, Severity } from '../../../src/codec/records.generated.js';

/** One step of an anomaly: the observed value and the expected band at that time. */
export interface AnomalyStep {
  atMs: number;
  state: AnomalyState;
  severity: Severity;
  score: number;
  value: number;
  expectedLow: number;
  expectedHigh: number;
}

/** An anomaly as its latest step says, with the steps seen so far (oldest first). */
export type ConsoleAnomaly = Omit<Anomaly, 'eventId'> & {
  /** False once resolved or stale. */
  open: boolean;
  steps: AnomalyStep[];
};

/** A report as lists show it; the whole record comes from `report(id)`. */
export interface ReportSummary {
  id: string;
  entity: Entity;
  scenario: Scenario;
  rootCause: RootCause;
  severity: Severity;
  confidence: number;
  createdAtMs: number;
  anomalyIds: string[];
}

export interface ConsoleStateOptions {
  /** Anomalies not yet resolved kept at most; the one with the oldest step is forgotten beyond (default 10,000). */
  maxOpenAnomalies?: number;
  /** Resolved anomalies kept for the timeline (default 1,000). */
  maxResolvedAnomalies?: number;
  /** Steps kept per anomaly, the newest (default 120). */
  maxStepsPerAnomaly?: number;
  /** Reports kept, the newest by arrival (default 500). */
  maxReports?: number;
  /** An anomaly with no step for this long stops counting as open (default 1 h, as the scorer). */
  staleAfterMs?: number;
}

/** Which anomalies or reports: a cluster, a node of it (its pods included), a kind. */
export interface ConsoleFilter {
  cluster?: string;
  node?: string;
  kind?: AnomalyKind;
}

export interface ConsoleStateStats {
  anomalies: number;
  openAnomalies: number;
  reports: number;
}

export interface ConsoleState {
  onAnomaly(step: Anomaly): void;
  onReport(report: DiagnosisReport): void;
  /** Anomalies, newest step first; `open` false includes resolved and stale ones. */
  anomalies(filter?: ConsoleFilter & { open?: boolean }): ConsoleAnomaly[];
  /** Open anomalies counted by kind (every kind present, zeros included). */
  openCountsByKind(filter?: ConsoleFilter): Record<AnomalyKind, number>;
  /** Open anomalies per node key `cluster/node` (pods count for their node). */
  openCountsByNode(): Map<string, number>;
  /** Reports, newest first by createdAtMs. */
  reports(filter?: ConsoleFilter & { limit?: number }): ReportSummary[];
  report(id: string): DiagnosisReport | undefined;
  stats(): ConsoleStateStats;
}

const anomalyKinds: AnomalyKind[] = ['SPIKE', 'DIP', 'LEVEL_SHIFT', 'TREND', 'HIGH_WATERMARK', 'THRESHOLD', 'FLUCTUATION', 'EVENT'];

export function nodeKeyOf(entity: Entity): string {
  return `${entity.cluster}/${entity.node ?? ''}`;
}

function matches(entity: Entity, filter: ConsoleFilter): boolean {
  if (filter.cluster !== undefined && entity.cluster !== filter.cluster) return false;
  if (filter.node !== undefined && entity.node !== filter.node) return false;
  return true;
}

function summaryOf(report: DiagnosisReport): ReportSummary {
  const { id, entity, scenario, rootCause, severity, confidence, createdAtMs, anomalyIds } = report;
  return { id, entity, scenario, rootCause, severity, confidence, createdAtMs, anomalyIds };
}

export function createConsoleState(options: ConsoleStateOptions = {}): ConsoleState {
  const maxOpen = options.maxOpenAnomalies ?? 10_000;
  const maxResolved = options.maxResolvedAnomalies ?? 1_000;
  const maxSteps = options.maxStepsPerAnomaly ?? 120;
  const maxReports = options.maxReports ?? 500;
  const staleAfterMs = options.staleAfterMs ?? 60 * 60_000;

  /** Not resolved, in order of their latest step (oldest first, for the bound). */
  const unresolved = new Map<string, ConsoleAnomaly>();
  /** Resolved, in order of resolution (oldest first). */
  const resolved = new Map<string, ConsoleAnomaly>();
  /** In arrival order (oldest first). */
  const reports = new Map<string, DiagnosisReport>();
  let watermarkMs = 0;

  const isOpen = (anomaly: ConsoleAnomaly): boolean => anomaly.state !== 'RESOLVED' && anomaly.observedAtMs >= watermarkMs - staleAfterMs;
  const view = (anomaly: ConsoleAnomaly): ConsoleAnomaly => ({ ...anomaly, open: isOpen(anomaly), steps: [...anomaly.steps] });

  function addStep(anomaly: ConsoleAnomaly, step: AnomalyStep): void {
    const steps = anomaly.steps;
    let index = steps.length;
    while (index > 0 && steps[index - 1]!.atMs > step.atMs) index--;
    // The same step delivered again replaces itself.
    if (index > 0 && steps[index - 1]!.atMs === step.atMs) steps[index - 1] = step;
    else steps.splice(index, 0, step);
    if (steps.length > maxSteps) steps.splice(0, steps.length - maxSteps);
  }

  return {
    onAnomaly(record) {
      watermarkMs = Math.max(watermarkMs, record.observedAtMs);
      const known = unresolved.get(record.id) ?? resolved.get(record.id);
      const step: AnomalyStep = {
        atMs: record.observedAtMs, state: record.state, severity: record.severity, score: record.score,
        value: record.value, expectedLow: record.expectedLow, expectedHigh: record.expectedHigh,
      };
      const anomaly: ConsoleAnomaly = known ?? {
        id: record.id, entity: record.entity, metric: record.metric, series: record.series, labels: record.labels, kind: record.kind,
        state: record.state, open: true, severity: record.severity, score: record.score, value: record.value,
        expectedLow: record.expectedLow, expectedHigh: record.expectedHigh, models: record.models,
        openedAtMs: record.openedAtMs, observedAtMs: record.observedAtMs, resolvedAtMs: record.resolvedAtMs, steps: [],
      };
      addStep(anomaly, step);
      // A late or redelivered older step adds to the plot but does not change what the anomaly is now.
      if (known && record.observedAtMs < known.observedAtMs) return;
      if (known?.state === 'RESOLVED' && record.state !== 'RESOLVED') return;
      Object.assign(anomaly, {
        state: record.state, severity: record.severity, score: record.score, value: record.value, kind: record.kind,
        expectedLow: record.expectedLow, expectedHigh: record.expectedHigh, models: record.models,
        observedAtMs: record.observedAtMs, resolvedAtMs: record.resolvedAtMs,
      });
      unresolved.delete(anomaly.id);
      resolved.delete(anomaly.id);
      if (record.state === 'RESOLVED') {
        resolved.set(anomaly.id, anomaly);
        while (resolved.size > maxResolved) resolved.delete(resolved.keys().next().value!);
      } else {
        unresolved.set(anomaly.id, anomaly);
        while (unresolved.size > maxOpen) unresolved.delete(unresolved.keys().next().value!);
      }
    },

    onReport(report) {
      watermarkMs = Math.max(watermarkMs, report.createdAtMs);
      reports.delete(report.id);
      reports.set(report.id, report);
      while (reports.size > maxReports) reports.delete(reports.keys().next().value!);
    },

    anomalies(filter = {}) {
      const wanted = (anomaly: ConsoleAnomaly): boolean =>
        matches(anomaly.entity, filter) && (filter.kind === undefined || anomaly.kind === filter.kind) && (filter.open === undefined || isOpen(anomaly) === filter.open);
      return [...unresolved.values(), ...resolved.values()].filter(wanted).sort((a, b) => b.observedAtMs - a.observedAtMs).map(view);
    },

    openCountsByKind(filter = {}) {
      const counts = Object.fromEntries(anomalyKinds.map((kind) => [kind, 0])) as Record<AnomalyKind, number>;
      for (const anomaly of unresolved.values()) {
        if (isOpen(anomaly) && matches(anomaly.entity, filter)) counts[anomaly.kind]++;
      }
      return counts;
    },

    openCountsByNode() {
      const counts = new Map<string, number>();
      for (const anomaly of unresolved.values()) {
        if (!isOpen(anomaly) || anomaly.entity.node === null) continue;
        const key = nodeKeyOf(anomaly.entity);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },

    reports(filter = {}) {
      const found = [...reports.values()].filter((report) => matches(report.entity, filter)).sort((a, b) => b.createdAtMs - a.createdAtMs);
      return found.slice(0, filter.limit ?? found.length).map(summaryOf);
    },

    report: (id) => reports.get(id),

    stats() {
      let open = 0;
      for (const anomaly of unresolved.values()) if (isOpen(anomaly)) open++;
      return { anomalies: unresolved.size + resolved.size, openAnomalies: open, reports: reports.size };
    },
  };
}
