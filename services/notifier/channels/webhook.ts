import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Channel, NotificationMessage } from './channel.js';
import { parseChannelConfig, resolveSecret, resolveWebhookUrl } from './config.js';
import { failureFromStatus, isFailure, postJson } from './http.js';
import { webhookChannelConfigSchema, type WebhookChannelConfig } from './webhook.config.js';

// Our own contract, signed like Stripe / Slack request signing (`${timestamp}.${body}`):
// https://docs.stripe.com/webhooks#verify-manually
export const WEBHOOK_PAYLOAD_VERSION = '1';
export const TIMESTAMP_HEADER = 'x-vigil-timestamp';
export const SIGNATURE_HEADER = 'x-vigil-signature';

/** JSON with < > & and the JS line separators as \u escapes, so the body is also safe to embed in HTML or a script. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function webhookPayload(message: NotificationMessage) {
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    groupKey: message.groupKey,
    status: message.resolved ? 'resolved' : 'firing',
    title: message.title,
    severity: message.severity,
    summary: message.summary,
    labels: message.labels,
    facts: message.facts,
    suggestions: message.suggestions,
    links: message.links ?? [],
    reportId: message.reportId,
    createdAtMs: message.createdAtMs,
    ...(message.digestOf ? { digestOf: message.digestOf } : {}),
  };
}

/** `sha256=` + hex(HMAC-SHA256(secret, `${timestampSeconds}.${body}`)). */
export function webhookSignature(secret: string, timestampSeconds: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex')}`;
}

function header(headers: Headers | Record<string, string | string[] | undefined>, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * For receivers: true when the body was signed with `secret` at a time within `toleranceSeconds` of
 * now. Pass the raw body exactly as received. Constant-time comparison.
 */
export function verifyWebhookSignature(
  body: string,
  headers: Headers | Record<string, string | string[] | undefined>,
  secret: string,
  toleranceSeconds: number,
  nowMs: number = Date.now(),
): boolean {
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signature = header(headers, SIGNATURE_HEADER);
  if (timestamp === undefined || signature === undefined || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** POSTs the signed JSON payload; any 2xx is delivered. */
export function createWebhookChannel(config: WebhookChannelConfig, now: () => number = Date.now): Channel {
  const parsed = parseChannelConfig(webhookChannelConfigSchema, config, 'webhook');
  const url = resolveWebhookUrl(parsed.name, parsed.webhookUrl, parsed.webhookUrlFile);
  const secret = resolveSecret(parsed.name, 'secret', parsed.secret, parsed.secretFile, true);
  return {
    name: parsed.name,
    async send(message, signal) {
      const body = safeJson(webhookPayload(message));
      const timestampSeconds = Math.floor(now() / 1000);
      const headers = { [TIMESTAMP_HEADER]: String(timestampSeconds), [SIGNATURE_HEADER]: webhookSignature(secret, timestampSeconds, body) };
      const response = await postJson(url, body, { timeoutMs: parsed.timeoutMs, headers, ...(signal ? { signal } : {}) });
      if (isFailure(response)) return response;
      return failureFromStatus(response, url.origin) ?? { ok: true };
    },
  };
}
