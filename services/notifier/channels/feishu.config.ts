import { z } from 'zod';
import { webhookReceiverFields } from './config.js';

/** Feishu / Lark custom bot receiver. The URL holds the hook token and the secret signs each request: give both from env or files. */
export const feishuChannelConfigSchema = z.object({
  ...webhookReceiverFields('feishu', { description: 'https://open.feishu.cn/open-apis/bot/v2/hook/… or https://open.larksuite.com/… (secret)' }),
  secret: z.string().optional().describe('Signing secret when the bot has "signature verification" on'),
  secretFile: z.string().optional().describe('File holding the signing secret'),
});

export type FeishuChannelConfig = z.input<typeof feishuChannelConfigSchema>;
