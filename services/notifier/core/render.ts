import type { DiagnosisReport, Entity, Fact, Suggestion } from '../../../src/codec/records.generated.js';

/** The text of one rendered email. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
  /** Messages with the same thread (the notifier's group key) reference one thread root, so mail clients show them as one conversation. */
  thread?: string;
}

const SUBJECT_MAX_CHARS = 200;

/** Collapses newlines, tabs and other control characters so a field cannot break a line. */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `cluster/node`, or `cluster/node/namespace/pod[/container]` when the report is about a pod. */
export function entityPath(entity: Entity): string {
  const parts = [entity.cluster, entity.node ?? '-'];
  if (entity.pod !== null) parts.push(entity.namespace ?? '-', entity.pod);
  if (entity.container !== null) parts.push(entity.container);
  return parts.join('/');
}

function binary(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A fact's value as a person reads it: `40.0 MiB/s`, `87 %`, `12.5 s`. */
export function formatFactValue(fact: Pick<Fact, 'value' | 'unit'>): string {
  const { value, unit } = fact;
  if (!Number.isFinite(value)) return `${value}${unit ? ` ${unit}` : ''}`;
  switch (unit) {
    case 'bytes':
      return binary(value);
    case 'bytes/s':
      return `${binary(value)}/s`;
    case 'ratio':
      return `${(value * 100).toFixed(0)} %`;
    case 'seconds':
      return `${value.toFixed(1)} s`;
    default:
      return `${Number(value.toPrecision(6))}${unit ? ` ${unit}` : ''}`;
  }
}

function suggestionText(suggestion: Suggestion): string {
  const extras = [suggestion.command && `\`${suggestion.command}\``, suggestion.setting && `set ${suggestion.setting}`].filter(Boolean);
  return `${suggestion.action}${extras.length ? ` (${extras.join('; ')})` : ''}`;
}

/**
 * One line for stdout: `[CRITICAL] prod/worker-7 MEMORY MEMORY_LEAK_PROCESS: <summary> — fix: <first suggestion> (confidence 0.92)`.
 * Always a single line, whatever the report's strings contain.
 */
export function renderReportLine(report: DiagnosisReport): string {
  const first = report.suggestions[0];
  const more = report.suggestions.length > 1 ? ` [+${report.suggestions.length - 1} more]` : '';
  const fix = first ? ` — fix: ${suggestionText(first)}${more}` : '';
  return oneLine(
    `[${report.severity}] ${entityPath(report.entity)} ${report.scenario} ${report.rootCause.code}: ${report.rootCause.summary}${fix} (confidence ${report.confidence.toFixed(2)})`,
  );
}

/** The subject of an email about a report, also the `subject` of its notification record. */
export function reportSubject(report: DiagnosisReport): string {
  const subject = oneLine(`[Vigil] ${report.severity} ${report.rootCause.code} on ${entityPath(report.entity)}: ${report.rootCause.summary}`);
  return subject.length <= SUBJECT_MAX_CHARS ? subject : `${subject.slice(0, SUBJECT_MAX_CHARS - 1)}…`;
}

/** An email about a report: plain text and HTML carrying the same facts; every report string is escaped in the HTML. */
export function renderReportEmail(report: DiagnosisReport): EmailMessage {
  const where = entityPath(report.entity);
  const when = new Date(report.createdAtMs).toISOString();
  const kubernetes = Object.entries(report.kubernetes).sort(([a], [b]) => a.localeCompare(b));

  const text = [
    `${report.severity} ${report.rootCause.code} on ${where} (scenario ${report.scenario})`,
    '',
    report.rootCause.summary,
    '',
    `Confidence: ${report.confidence.toFixed(2)}`,
    `Time: ${when}`,
    '',
    'Evidence:',
    ...(report.evidence.length ? report.evidence.map((f) => `  - ${f.name}: ${formatFactValue(f)}${f.detail ? ` (${f.detail})` : ''}`) : ['  (none)']),
    '',
    'What to do:',
    ...(report.suggestions.length
      ? report.suggestions.flatMap((s, i) => [
          `  ${i + 1}. ${s.action}`,
          ...(s.command ? [`     $ ${s.command}`] : []),
          ...(s.setting ? [`     setting: ${s.setting}`] : []),
        ])
      : ['  (no suggestion)']),
    ...(kubernetes.length ? ['', 'Kubernetes:', ...kubernetes.map(([k, v]) => `  ${k}: ${v}`)] : []),
    '',
    `Report ${report.id}, request ${report.requestId}, anomalies ${report.anomalyIds.join(', ') || '-'}`,
    '',
  ].join('\n');

  const e = escapeHtml;
  const severityColor = { INFO: '#1f6feb', WARNING: '#9a6700', CRITICAL: '#cf222e' }[report.severity];
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif">',
    `<h2 style="color: ${severityColor}">${e(report.severity)} ${e(report.rootCause.code)} on ${e(where)}</h2>`,
    `<p><strong>${e(report.rootCause.summary)}</strong></p>`,
    `<p>Scenario ${e(report.scenario)}, confidence ${e(report.confidence.toFixed(2))}, at ${e(when)}</p>`,
    '<h3>Evidence</h3>',
    report.evidence.length
      ? `<table cellpadding="4" style="border-collapse: collapse">${report.evidence
          .map((f) => `<tr><td>${e(f.name)}</td><td>${e(formatFactValue(f))}</td><td>${e(f.detail ?? '')}</td></tr>`)
          .join('')}</table>`
      : '<p>(none)</p>',
    '<h3>What to do</h3>',
    report.suggestions.length
      ? `<ol>${report.suggestions
          .map(
            (s) =>
              `<li>${e(s.action)}${s.command ? `<br><code>${e(s.command)}</code>` : ''}${s.setting ? `<br>setting: <code>${e(s.setting)}</code>` : ''}</li>`,
          )
          .join('')}</ol>`
      : '<p>(no suggestion)</p>',
    kubernetes.length ? `<h3>Kubernetes</h3><ul>${kubernetes.map(([k, v]) => `<li>${e(k)}: ${e(v)}</li>`).join('')}</ul>` : '',
    `<p style="color: #57606a; font-size: small">Report ${e(report.id)}, request ${e(report.requestId)}, anomalies ${e(report.anomalyIds.join(', ') || '-')}</p>`,
    '</body></html>',
  ].join('\n');

  return { subject: reportSubject(report), text, html };
}
