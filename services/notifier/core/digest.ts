/**
 * Folds the messages a rate-limited (or unreachable) channel accumulated into one digest, so a
 * burst is told in one message instead of being dropped or hammering a 429ing API. Each folded
 * message keeps one fact line (its title and summary) and its id in `digestOf`.
 */
import type { NotificationMessage, Severity } from '../channels/channel.js';
import { oneLine } from '../channels/message.js';

const severityRank: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

export function digestMessage(messages: readonly NotificationMessage[]): NotificationMessage {
  if (messages.length === 1) return messages[0]!;
  const first = messages[0]!;
  const severity = messages.reduce<Severity>((worst, message) => (severityRank[message.severity] > severityRank[worst] ? message.severity : worst), 'INFO');
  const resolved = messages.filter((message) => message.resolved).length;
  return {
    title: oneLine(`${messages.length} notifications (${messages.length - resolved} firing, ${resolved} resolved) — held back by a rate limit or outage`),
    severity,
    summary: oneLine(`Digest of ${messages.length} notifications, oldest first; the first: ${first.title}`),
    facts: messages.map((message) => ({ name: message.title, value: message.resolved ? 'resolved' : message.severity, detail: message.summary })),
    suggestions: [],
    labels: {},
    groupKey: `digest:${first.groupKey}`,
    resolved: resolved === messages.length,
    reportId: first.reportId,
    createdAtMs: Math.max(...messages.map((message) => message.createdAtMs)),
    digestOf: messages.map((message) => ({ groupKey: message.groupKey, reportId: message.reportId, title: message.title, resolved: message.resolved })),
  };
}
