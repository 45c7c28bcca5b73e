/**
 * The three records the notifier turns into alerts — diagnosis reports, health updates and
 * anomalies — as one tagged union, with the alert each becomes and the channel-neutral message it
 * renders to. Pure: times are passed in.
 *
 * - A report is its own alert (label `report_id`), firing for `reportFiringMs` from when it arrived.
 * - A health update is the entity's health alert (kind="health"): firing while its grade is
 *   CRITICAL, resolved when it recovers. One alert per entity, so a recovery resolves the fall.
 * - An anomaly is one alert per anomaly id (kind="anomaly"): firing from OPEN, resolved by RESOLVED.
 */
import type { Anomaly, DiagnosisReport, HealthUpdate } from '../../../src/codec/records.generated.js';
import type { NotificationMessage } from '../channels/channel.js';
import { messageFromReport, oneLine } from '../channels/message.js';
import { entityPath, escapeHtml, renderReportEmail, renderReportLine, type EmailMessage } from './render.js';
import type { Alert } from './routing/alert.js';
import { alertFromReport, entityLabels } from './routing/labels.js';

export type NotifierSource =
  | { readonly type: 'report'; readonly record: DiagnosisReport }
  | { readonly type: 'health'; readonly record: HealthUpdate }
  | { readonly type: 'anomaly'; readonly record: Anomaly };

/** The alert a source record is: its labels, when it fires and when it resolves, and `sourceId` naming what it is about. */
export function alertFromSource(source: NotifierSource, nowMs: number, reportFiringMs: number): Alert {
  switch (source.type) {
    case 'report': {
      const report = source.record;
      const alert = alertFromReport(report);
      return { ...alert, labels: { ...alert.labels, report_id: report.id }, resolvedAtMs: Math.max(nowMs, alert.startsAtMs) + reportFiringMs };
    }
    case 'health': {
      const update = source.record;
      const labels = { ...entityLabels(update.entity), kind: 'health', level: update.level, severity: 'CRITICAL' };
      const firing = update.grade === 'CRITICAL';
      return { labels, startsAtMs: update.timestampMs, resolvedAtMs: firing ? null : update.timestampMs, sourceId: `health:${entityPath(update.entity)}` };
    }
    case 'anomaly': {
      const anomaly = source.record;
      const labels = { ...entityLabels(anomaly.entity), kind: 'anomaly', anomaly_kind: anomaly.kind, metric: anomaly.metric, severity: anomaly.severity, anomaly_id: anomaly.id };
      const resolvedAtMs = anomaly.state === 'RESOLVED' ? (anomaly.resolvedAtMs ?? anomaly.observedAtMs) : null;
      return { labels, startsAtMs: anomaly.openedAtMs, resolvedAtMs, sourceId: `anomaly:${anomaly.id}` };
    }
  }
}

const severities = ['INFO', 'WARNING', 'CRITICAL'] as const;

/** A number as a person reads it, to `digits` significant digits; NaN and ±Infinity as such. */
const num = (value: number, digits = 6): string => (Number.isFinite(value) ? String(Number(value.toPrecision(digits))) : String(value));

/**
 * Alerts a source ends besides its own: an anomaly's severity is one of its labels, so after an
 * UPDATE or RESOLVED the same anomaly at its other severities is resolved (its group may differ).
 */
export function supersededAlerts(source: NotifierSource, alert: Alert): Alert[] {
  if (source.type !== 'anomaly' || source.record.state === 'OPEN') return [];
  const endMs = source.record.resolvedAtMs ?? source.record.observedAtMs;
  return severities
    .filter((severity) => severity !== source.record.severity)
    .map((severity) => ({ ...alert, labels: { ...alert.labels, severity }, resolvedAtMs: endMs }));
}

/** The message a source renders to; `resolved` for the resolved message of a group. */
export function messageFromSource(source: NotifierSource, options: { groupKey: string; resolved: boolean }): NotificationMessage {
  switch (source.type) {
    case 'report':
      return messageFromReport(source.record, options);
    case 'health': {
      const update = source.record;
      const resolved = options.resolved || update.grade !== 'CRITICAL';
      return {
        title: oneLine(`${resolved ? `RECOVERED ${update.grade}` : 'CRITICAL'} health of ${update.level.toLowerCase()} ${entityPath(update.entity)}: ${num(update.score, 3)}`),
        severity: resolved ? 'INFO' : 'CRITICAL',
        summary: oneLine(update.explanation || `score ${num(update.score, 3)}, grade ${update.grade}`),
        facts: update.items.slice(0, 10).map((item) => ({ name: oneLine(item.code), value: `−${num(item.deduction, 3)}`, detail: oneLine(item.description) })),
        suggestions: [],
        labels: { ...entityLabels(update.entity), level: update.level, grade: update.grade },
        groupKey: options.groupKey,
        resolved,
        reportId: update.id,
        createdAtMs: update.timestampMs,
      };
    }
    case 'anomaly': {
      const anomaly = source.record;
      const resolved = options.resolved || anomaly.state === 'RESOLVED';
      const band = `${num(anomaly.expectedLow, 4)}..${num(anomaly.expectedHigh, 4)}`;
      return {
        title: oneLine(`${resolved ? 'RESOLVED' : anomaly.severity} ${anomaly.kind} anomaly of ${anomaly.metric} on ${entityPath(anomaly.entity)}`),
        severity: resolved ? 'INFO' : anomaly.severity,
        summary: oneLine(`${anomaly.series} was ${num(anomaly.value)}, expected ${band} (score ${num(anomaly.score, 3)})`),
        facts: [
          { name: 'value', value: num(anomaly.value) },
          { name: 'expected', value: band },
          { name: 'models', value: oneLine(anomaly.models.join(', ')) },
        ],
        suggestions: [],
        labels: { ...entityLabels(anomaly.entity), metric: anomaly.metric, kind: anomaly.kind },
        groupKey: options.groupKey,
        resolved,
        reportId: anomaly.id,
        createdAtMs: anomaly.observedAtMs,
      };
    }
  }
}

/** One stdout line: a report's own line, or `[SEVERITY] title — summary` for the rest. */
export function sourceLine(source: NotifierSource, message: NotificationMessage): string {
  if (source.type === 'report' && !message.resolved) return renderReportLine(source.record);
  return oneLine(`[${message.severity}] ${message.title} — ${message.summary}`);
}

/** The email of one source: a report's own email, or the message as text and escaped HTML. */
export function sourceEmail(source: NotifierSource, message: NotificationMessage): EmailMessage {
  if (source.type === 'report' && !message.resolved) return renderReportEmail(source.record);
  const facts = message.facts.map((fact) => `${fact.name}: ${fact.value}${fact.detail ? ` (${fact.detail})` : ''}`);
  return {
    subject: message.title,
    text: [message.title, '', message.summary, '', ...facts].join('\n'),
    html: `<h2>${escapeHtml(message.title)}</h2><p>${escapeHtml(message.summary)}</p><ul>${facts.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
  };
}
