import { createHmac } from 'node:crypto';
import type { Channel, NotificationMessage } from './channel.js';
import { parseChannelConfig, resolveSecret, resolveWebhookUrl } from './config.js';
import { feishuChannelConfigSchema, type FeishuChannelConfig } from './feishu.config.js';
import { failureFromStatus, isFailure, jsonObject, postJson } from './http.js';
import { factLine, suggestionLine, TRUNCATED_NOTICE, truncateChars } from './message.js';

// Custom bot, signing and limits: https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
// (Lark: https://open.larksuite.com/document/client-docs/bot-v3/add-custom-bot); card JSON:
// https://open.feishu.cn/document/common-capabilities/message-card/message-cards-content/card-structure/card-content
/** The bot rejects request bodies over 20 KB; keep a margin for the signature fields. */
export const FEISHU_BODY_MAX_BYTES = 19_000;
const TEXT_MAX_CHARS = 4000;
/** Rate limited (11232, 100 per minute / 5 per second per bot); 9499 and the signature / keyword / IP codes (19021, 19022, 19024) are permanent. */
const retriableCodes = new Set([11232]);

/** sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")); the timestamp is in seconds. */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

const template = { INFO: 'blue', WARNING: 'orange', CRITICAL: 'red' } as const;

/**
 * An interactive card. Every untrusted string sits in a `plain_text` element, which the client
 * shows literally (no lark_md, no @-mentions, no links); only our own links use lark_md.
 */
export function feishuCard(message: NotificationMessage) {
  const text = (content: string) => ({ tag: 'div', text: { tag: 'plain_text', content: truncateChars(content, TEXT_MAX_CHARS) } });
  const elements: Record<string, unknown>[] = [
    text(message.summary),
    { tag: 'div', fields: Object.entries(message.labels).map(([k, v]) => ({ is_short: true, text: { tag: 'plain_text', content: truncateChars(`${k}: ${v}`, 500) } })) },
  ];
  if (message.facts.length) elements.push({ tag: 'hr' }, text(`Evidence\n${message.facts.map((f) => `• ${factLine(f)}`).join('\n')}`));
  if (message.suggestions.length) elements.push({ tag: 'hr' }, text(`What to do\n${message.suggestions.map((s, i) => `${i + 1}. ${suggestionLine(s)}`).join('\n')}`));
  for (const link of message.links ?? []) {
    elements.push({ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: truncateChars(link.title, 100) }, type: 'default', url: link.url }] });
  }
  const note = { tag: 'note', elements: [{ tag: 'plain_text', content: `${message.resolved ? 'resolved' : message.severity} · report ${message.reportId} · ${new Date(message.createdAtMs).toISOString()}` }] };
  return {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: truncateChars(message.title, 200) }, template: message.resolved ? 'green' : template[message.severity] },
    elements: [...elements, note],
  };
}

/** The request body: the card, shortened from the end (with a visible notice) until it fits the bot's 20 KB limit. */
export function feishuBody(message: NotificationMessage, signature?: { timestamp: string; sign: string }): string {
  const card = feishuCard(message);
  const build = () => JSON.stringify({ ...signature, msg_type: 'interactive', card });
  let body = build();
  if (Buffer.byteLength(body) <= FEISHU_BODY_MAX_BYTES) return body;
  const note = card.elements.pop()!;
  const notice = { tag: 'div', text: { tag: 'plain_text', content: TRUNCATED_NOTICE } };
  card.elements.push(notice, note);
  while (Buffer.byteLength((body = build())) > FEISHU_BODY_MAX_BYTES && card.elements.length > 3) {
    const victim = card.elements.at(-3)! as { text?: { content: string } };
    // Halve a long text before dropping the element.
    if (victim.text && victim.text.content.length > 200) victim.text.content = truncateChars(victim.text.content, Math.floor(victim.text.content.length / 2));
    else card.elements.splice(-3, 1);
  }
  return body;
}

/** Posts an interactive card to a Feishu / Lark custom bot, signed when a secret is configured; `code` ≠ 0 is a failure. */
export function createFeishuChannel(config: FeishuChannelConfig, now: () => number = Date.now): Channel {
  const parsed = parseChannelConfig(feishuChannelConfigSchema, config, 'feishu');
  const url = resolveWebhookUrl(parsed.name, parsed.webhookUrl, parsed.webhookUrlFile);
  const secret = resolveSecret(parsed.name, 'secret', parsed.secret, parsed.secretFile, false);
  return {
    name: parsed.name,
    async send(message, signal) {
      const timestampSeconds = Math.floor(now() / 1000);
      const signature = secret === undefined ? undefined : { timestamp: String(timestampSeconds), sign: feishuSign(timestampSeconds, secret) };
      const response = await postJson(url, feishuBody(message, signature), { timeoutMs: parsed.timeoutMs, ...(signal ? { signal } : {}) });
      if (isFailure(response)) return response;
      const failure = failureFromStatus(response, url.origin);
      if (failure) return failure;
      const body = jsonObject(response.text);
      // Older deployments answer {"StatusCode":0,"StatusMessage":"success"}.
      const code = typeof body?.code === 'number' ? body.code : typeof body?.StatusCode === 'number' ? body.StatusCode : undefined;
      if (code === 0) return { ok: true };
      if (code === undefined) return { ok: false, retry: true, error: `POST ${url.origin}: unexpected answer (HTTP ${response.status}, no code)` };
      return { ok: false, retry: retriableCodes.has(code), error: `POST ${url.origin}: code ${code} ${String(body?.msg ?? '').slice(0, 200)}` };
    },
  };
}
