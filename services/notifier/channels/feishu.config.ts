import { z } from 'zod';

/** Feishu / Lark custom bot receiver. The URL holds the hook token and the secret signs each request: give both from env or files. */
export const feishuChannelConfigSchema = z.object({
  name: z.string().min(1).default('feishu').describe('Channel name in logs and notification records'),
  webhookUrl: z.string().optional().describe('https://open.feishu.cn/open-apis/bot/v2/hook/… or https://open.larksuite.com/… (secret)'),
  webhookUrlFile: z.string().optional().describe('File holding the webhook URL'),
  secret: z.string().optional().describe('Signing secret when the bot has "signature verification" on'),
  secretFile: z.string().optional().describe('File holding the signing secret'),
  timeoutMs: z.number().int().positive().default(10_000).describe('Give up on a request after this long'),
});

export type FeishuChannelConfig = z.input<typeof feishuChannelConfigSchema>;
