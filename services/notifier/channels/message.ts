import type { DiagnosisReport } from '../../../src/codec/records.generated.js';
import { entityPath, formatFactValue } from '../core/render.js';
import type { NotificationMessage } from './channel.js';

/** Collapses newlines and control characters so a field stays on one line. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

export interface MessageOptions {
  resolved?: boolean;
  /** Set by routing; defaults to the entity path and the root cause. */
  groupKey?: string;
  links?: { title: string; url: string }[];
}

/** The channel-neutral message about a report: the same facts the email carries. */
export function messageFromReport(report: DiagnosisReport, options: MessageOptions = {}): NotificationMessage {
  const { entity } = report;
  const labels: Record<string, string> = { cluster: entity.cluster };
  if (entity.node !== null) labels.node = entity.node;
  if (entity.namespace !== null) labels.namespace = entity.namespace;
  if (entity.pod !== null) labels.pod = entity.pod;
  if (entity.container !== null) labels.container = entity.container;
  labels.scenario = report.scenario;
  labels.cause = report.rootCause.code;
  const resolved = options.resolved ?? false;
  return {
    title: oneLine(`${resolved ? 'RESOLVED' : report.severity} ${report.rootCause.code} on ${entityPath(entity)}`),
    severity: report.severity,
    summary: oneLine(report.rootCause.summary),
    facts: report.evidence.map((f) => ({ name: oneLine(f.name), value: formatFactValue(f), ...(f.detail ? { detail: oneLine(f.detail) } : {}) })),
    suggestions: report.suggestions.map((s) => ({
      action: oneLine(s.action),
      ...(s.command ? { command: oneLine(s.command) } : {}),
      ...(s.setting ? { setting: oneLine(s.setting) } : {}),
    })),
    labels,
    groupKey: options.groupKey ?? `${entityPath(entity)}:${report.rootCause.code}`,
    resolved,
    ...(options.links ? { links: options.links } : {}),
    reportId: report.id,
    createdAtMs: report.createdAtMs,
  };
}

/** Plain lines shared by the text formats: `name: value (detail)` and `action — $ command — setting`. */
export function factLine(f: NotificationMessage['facts'][number]): string {
  return `${f.name}: ${f.value}${f.detail ? ` (${f.detail})` : ''}`;
}

export function suggestionLine(s: NotificationMessage['suggestions'][number]): string {
  return [s.action, s.command && `$ ${s.command}`, s.setting && `setting: ${s.setting}`].filter(Boolean).join(' — ');
}

export const TRUNCATED_NOTICE = '… truncated';

/** Cuts `text` to at most `maxChars` characters, ending with a visible notice when it had to cut. */
export function truncateChars(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const notice = `\n${TRUNCATED_NOTICE}`;
  return `${text.slice(0, Math.max(0, maxChars - notice.length))}${notice}`;
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a character, ending with a visible notice when it had to cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const notice = `\n${TRUNCATED_NOTICE}`;
  let budget = maxBytes - Buffer.byteLength(notice, 'utf8');
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (size > budget) break;
    out += ch;
    budget -= size;
  }
  return out + notice;
}
