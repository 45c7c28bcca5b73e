import { createHmac } from 'node:crypto';
import type { Channel, NotificationMessage } from './channel.js';
import { parseChannelConfig, resolveSecret, resolveWebhookUrl } from './config.js';
import { dingtalkChannelConfigSchema, type DingtalkChannelConfig } from './dingtalk.config.js';
import { errcodeResult, failureFromStatus, isFailure, postJson } from './http.js';
import { escapeRobotMarkdown } from './markdown.js';
import { factLine, suggestionLine, truncateUtf8 } from './message.js';

// Signing: https://open.dingtalk.com/document/robots/customize-robot-security-settings
// Payload: https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type (msgtype markdown)
// Error codes: https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages
/** Message text cap; DingTalk documents a 20,000-byte message limit. */
export const DINGTALK_TEXT_MAX_BYTES = 18_000;
/** errcodes another attempt can fix: rate limited (130101), system busy (-1). 310000 (sign / keyword / IP mismatch) and the rest cannot. */
const retriableErrcodes = new Set([130101, -1]);

/** sign = urlencode(base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret))); the timestamp is in ms. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

export function dingtalkPayload(message: NotificationMessage) {
  const e = escapeRobotMarkdown;
  const lines = [
    `### ${message.resolved ? '✅' : message.severity === 'CRITICAL' ? '🚨' : message.severity === 'WARNING' ? '⚠️' : 'ℹ️'} ${e(message.title)}`,
    '',
    `**${e(message.summary)}**`,
    '',
    ...Object.entries(message.labels).map(([k, v]) => `- ${e(k)}: ${e(v)}`),
    '',
    ...(message.facts.length ? ['#### Evidence', '', ...message.facts.map((f) => `- ${e(factLine(f))}`), ''] : []),
    ...(message.suggestions.length ? ['#### What to do', '', ...message.suggestions.map((s, i) => `${i + 1}. ${e(suggestionLine(s))}`), ''] : []),
    ...(message.links ?? []).map((l) => `[${e(l.title)}](${encodeURI(l.url)})`),
    `> ${message.resolved ? 'resolved' : message.severity} · report ${e(message.reportId)} · ${new Date(message.createdAtMs).toISOString()}`,
  ];
  // title shows in the chat list and notifications only: plain text.
  return { msgtype: 'markdown', markdown: { title: message.title.slice(0, 100), text: truncateUtf8(lines.join('\n'), DINGTALK_TEXT_MAX_BYTES) } };
}

/** Posts a markdown message to a DingTalk custom robot, signed when a secret is configured; errcode ≠ 0 is a failure. */
export function createDingtalkChannel(config: DingtalkChannelConfig, now: () => number = Date.now): Channel {
  const parsed = parseChannelConfig(dingtalkChannelConfigSchema, config, 'dingtalk');
  const url = resolveWebhookUrl(parsed.name, parsed.webhookUrl, parsed.webhookUrlFile);
  const secret = resolveSecret(parsed.name, 'secret', parsed.secret, parsed.secretFile, false);
  return {
    name: parsed.name,
    async send(message, signal) {
      const target = new URL(url);
      if (secret !== undefined) {
        const timestampMs = now();
        target.searchParams.set('timestamp', String(timestampMs));
        target.searchParams.set('sign', dingtalkSign(timestampMs, secret));
      }
      const response = await postJson(target, JSON.stringify(dingtalkPayload(message)), { timeoutMs: parsed.timeoutMs, ...(signal ? { signal } : {}) });
      if (isFailure(response)) return response;
      const failure = failureFromStatus(response, url.origin);
      if (failure) return failure;
      return errcodeResult(response, url.origin, retriableErrcodes);
    },
  };
}
