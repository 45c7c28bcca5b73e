import type { Channel, NotificationMessage } from './channel.js';
import { parseChannelConfig, resolveWebhookUrl } from './config.js';
import { errcodeResult, failureFromStatus, isFailure, postJson } from './http.js';
import { escapeRobotMarkdown } from './markdown.js';
import { factLine, suggestionLine, truncateUtf8 } from './message.js';
import { wecomChannelConfigSchema, type WecomChannelConfig } from './wecom.config.js';

// Group robot: https://developer.work.weixin.qq.com/document/path/91770 (markdown content ≤ 4096 bytes UTF-8,
// 20 messages a minute per robot); global error codes: https://developer.work.weixin.qq.com/document/path/90313
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
/** Rate limited (45009), system busy (-1); 93000 (invalid key) and the rest are permanent. */
const retriableErrcodes = new Set([45009, -1]);

const color = { INFO: 'info', WARNING: 'warning', CRITICAL: 'warning' } as const;

export function wecomPayload(message: NotificationMessage) {
  const e = escapeRobotMarkdown;
  const lines = [
    `## <font color="${message.resolved ? 'info' : color[message.severity]}">${e(message.title)}</font>`,
    `**${e(message.summary)}**`,
    ...Object.entries(message.labels).map(([k, v]) => `> ${e(k)}: <font color="comment">${e(v)}</font>`),
    ...(message.facts.length ? ['', '**Evidence**', ...message.facts.map((f) => `- ${e(factLine(f))}`)] : []),
    ...(message.suggestions.length ? ['', '**What to do**', ...message.suggestions.map((s, i) => `${i + 1}. ${e(suggestionLine(s))}`)] : []),
    ...(message.links ?? []).map((l) => `[${e(l.title)}](${encodeURI(l.url)})`),
    `<font color="comment">${message.resolved ? 'resolved' : message.severity} · report ${e(message.reportId)} · ${new Date(message.createdAtMs).toISOString()}</font>`,
  ];
  return { msgtype: 'markdown', markdown: { content: truncateUtf8(lines.join('\n'), WECOM_MARKDOWN_MAX_BYTES) } };
}

/** Posts markdown to a WeCom group robot; errcode ≠ 0 is a failure (HTTP is 200 even then). */
export function createWecomChannel(config: WecomChannelConfig): Channel {
  const parsed = parseChannelConfig(wecomChannelConfigSchema, config, 'wecom');
  const url = resolveWebhookUrl(parsed.name, parsed.webhookUrl, parsed.webhookUrlFile);
  return {
    name: parsed.name,
    async send(message, signal) {
      const response = await postJson(url, JSON.stringify(wecomPayload(message)), { timeoutMs: parsed.timeoutMs, ...(signal ? { signal } : {}) });
      if (isFailure(response)) return response;
      const failure = failureFromStatus(response, url.origin);
      if (failure) return failure;
      return errcodeResult(response, url.origin, retriableErrcodes);
    },
  };
}
