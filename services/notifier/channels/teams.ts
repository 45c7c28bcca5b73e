import type { Channel, NotificationMessage } from './channel.js';
import { parseChannelConfig, resolveWebhookUrl } from './config.js';
import { failureFromStatus, isFailure, postJson } from './http.js';
import { factLine, suggestionLine, TRUNCATED_NOTICE, truncateChars } from './message.js';
import { teamsChannelConfigSchema, type TeamsChannelConfig } from './teams.config.js';

// Workflows webhook and the message/attachments envelope:
// https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
// Size limit (~28 KB per message): https://learn.microsoft.com/en-us/connectors/teams/#known-issues-and-limitations-with-actions
// Card elements and their markdown subset: https://adaptivecards.io/explorer/ and
// https://learn.microsoft.com/en-us/adaptive-cards/authoring-cards/text-features
export const TEAMS_BODY_MAX_BYTES = 27_000;
const TEXT_MAX_CHARS = 4000;

/**
 * Untrusted text in an Adaptive Card TextBlock / Fact: a backslash before the markdown characters
 * Teams interprets (emphasis, links, code, list and heading starts); `://` broken so no auto-link.
 */
export function escapeAdaptiveCardMarkdown(value: string): string {
  return value.replace(/[\\`*_[\]()~#>+-]/g, '\\$&').replace(/:\/\//g, ':\u200b//').replace(/[\r\n]+/g, ' ');
}

type Element = Record<string, unknown>;

export function teamsCard(message: NotificationMessage): { $schema: string; type: 'AdaptiveCard'; version: string; body: Element[]; msteams: { width: string } } {
  const e = escapeAdaptiveCardMarkdown;
  const block = (text: string, extra: Element = {}): Element => ({ type: 'TextBlock', text: truncateChars(text, TEXT_MAX_CHARS), wrap: true, ...extra });
  const body: Element[] = [
    block(e(message.title), { size: 'Large', weight: 'Bolder', color: message.resolved ? 'Good' : message.severity === 'INFO' ? 'Accent' : message.severity === 'WARNING' ? 'Warning' : 'Attention', style: 'heading' }),
    block(e(message.summary), { weight: 'Bolder' }),
    { type: 'FactSet', facts: Object.entries(message.labels).map(([k, v]) => ({ title: e(k), value: e(v) })) },
  ];
  if (message.facts.length) body.push(block('Evidence', { weight: 'Bolder', separator: true }), ...message.facts.map((f) => block(`• ${e(factLine(f))}`, { spacing: 'None' })));
  if (message.suggestions.length) {
    body.push(block('What to do', { weight: 'Bolder', separator: true }), ...message.suggestions.map((s, i) => block(`${i + 1}\\. ${e(suggestionLine(s))}`, { spacing: 'None' })));
  }
  body.push(block(`${message.resolved ? 'resolved' : message.severity} · report ${e(message.reportId)} · ${new Date(message.createdAtMs).toISOString()}`, { isSubtle: true, size: 'Small' }));
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(message.links?.length ? { actions: message.links.map((l) => ({ type: 'Action.OpenUrl', title: l.title, url: l.url })) } : {}),
    msteams: { width: 'Full' },
  } as ReturnType<typeof teamsCard>;
}

/** The request body: a message with one Adaptive Card attachment, with trailing elements dropped (and a visible notice) until it fits ~28 KB. */
export function teamsBody(message: NotificationMessage): string {
  const card = teamsCard(message);
  const build = () => JSON.stringify({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] });
  let body = build();
  if (Buffer.byteLength(body) <= TEAMS_BODY_MAX_BYTES) return body;
  const footer = card.body.pop()!;
  card.body.push({ type: 'TextBlock', text: TRUNCATED_NOTICE, wrap: true, color: 'Warning' }, footer);
  while (Buffer.byteLength((body = build())) > TEAMS_BODY_MAX_BYTES && card.body.length > 3) card.body.splice(-3, 1);
  return body;
}

/** Posts an Adaptive Card to a Teams Workflows webhook; the flow answers 202 Accepted. */
export function createTeamsChannel(config: TeamsChannelConfig): Channel {
  const parsed = parseChannelConfig(teamsChannelConfigSchema, config, 'teams');
  const url = resolveWebhookUrl(parsed.name, parsed.webhookUrl, parsed.webhookUrlFile);
  return {
    name: parsed.name,
    async send(message, signal) {
      const response = await postJson(url, teamsBody(message), { timeoutMs: parsed.timeoutMs, ...(signal ? { signal } : {}) });
      if (isFailure(response)) return response;
      return failureFromStatus(response, url.origin) ?? { ok: true };
    },
  };
}
