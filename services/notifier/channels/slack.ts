import type { Channel, NotificationMessage } from './channel.js';
import { parseChannelConfig, resolveWebhookUrl } from './config.js';
import { failureFromStatus, isFailure, postJson } from './http.js';
import { factLine, suggestionLine, TRUNCATED_NOTICE, truncateChars } from './message.js';
import { slackChannelConfigSchema, type SlackChannelConfig } from './slack.config.js';

// Payload: https://api.slack.com/messaging/webhooks and https://api.slack.com/reference/block-kit/blocks
// Escaping: https://api.slack.com/reference/surfaces/formatting#escaping (& < > as HTML entities)
export const SLACK_SECTION_TEXT_MAX_CHARS = 3000;
export const SLACK_FIELD_TEXT_MAX_CHARS = 2000;
export const SLACK_HEADER_MAX_CHARS = 150;
export const SLACK_MAX_BLOCKS = 50;
const SLACK_MAX_FIELDS = 10;

/**
 * Untrusted text in mrkdwn: & < > become entities as Slack requires (so `<http://evil|x>` cannot
 * form a link or a mention), and mrkdwn has no escape for * _ ~ `, so a zero-width space on each side
 * keeps them from pairing into formatting; `://` is broken so a bare URL is not auto-linked.
 */
export function escapeSlackMrkdwn(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*_~`]/g, (c) => `\u200b${c}\u200b`)
    .replace(/:\/\//g, ':\u200b//');
}

type Block = Record<string, unknown>;

const severityEmoji = { INFO: ':information_source:', WARNING: ':warning:', CRITICAL: ':rotating_light:' } as const;

/** Block Kit payload: header, summary, label fields, facts, suggestions, context; within Slack's limits, cuts marked. */
export function slackPayload(message: NotificationMessage): { text: string; blocks: Block[] } {
  const e = escapeSlackMrkdwn;
  const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: truncateChars(text, SLACK_SECTION_TEXT_MAX_CHARS) });
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncateChars(message.title, SLACK_HEADER_MAX_CHARS), emoji: false } },
    { type: 'section', text: mrkdwn(`${message.resolved ? ':white_check_mark:' : severityEmoji[message.severity]} ${e(message.summary)}`) },
  ];
  const fields = Object.entries(message.labels).map(([k, v]) => ({ type: 'mrkdwn', text: truncateChars(`*${e(k)}*\n${e(v)}`, SLACK_FIELD_TEXT_MAX_CHARS) }));
  for (let i = 0; i < fields.length; i += SLACK_MAX_FIELDS) blocks.push({ type: 'section', fields: fields.slice(i, i + SLACK_MAX_FIELDS) });
  if (message.facts.length) blocks.push({ type: 'section', text: mrkdwn(`*Evidence*\n${message.facts.map((f) => `• ${e(factLine(f))}`).join('\n')}`) });
  if (message.suggestions.length) {
    blocks.push({ type: 'section', text: mrkdwn(`*What to do*\n${message.suggestions.map((s, i) => `${i + 1}. ${e(suggestionLine(s))}`).join('\n')}`) });
  }
  for (const link of message.links ?? []) blocks.push({ type: 'section', text: mrkdwn(`<${link.url.replace(/[<>|]/g, encodeURIComponent)}|${e(link.title)}>`) });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${message.resolved ? 'resolved' : e(message.severity)} · report ${e(message.reportId)} · ${new Date(message.createdAtMs).toISOString()}` }],
  });
  if (blocks.length > SLACK_MAX_BLOCKS) {
    const context = blocks.at(-1)!;
    blocks.splice(SLACK_MAX_BLOCKS - 2);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `_${TRUNCATED_NOTICE}_` } }, context);
  }
  return { text: truncateChars(`${e(message.title)}: ${e(message.summary)}`, SLACK_SECTION_TEXT_MAX_CHARS), blocks };
}

/** Posts to a Slack incoming webhook; Slack answers 200 `ok`, or 4xx with a reason, or 429 with Retry-After. */
export function createSlackChannel(config: SlackChannelConfig): Channel {
  const { name, webhookUrl, webhookUrlFile, timeoutMs } = parseChannelConfig(slackChannelConfigSchema, config, 'slack');
  const url = resolveWebhookUrl(name, webhookUrl, webhookUrlFile);
  return {
    name,
    async send(message, signal) {
      const response = await postJson(url, JSON.stringify(slackPayload(message)), { timeoutMs, ...(signal ? { signal } : {}) });
      if (isFailure(response)) return response;
      return failureFromStatus(response, url.origin) ?? { ok: true };
    },
  };
}
