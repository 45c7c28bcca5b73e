import { z } from 'zod';

/** WeCom (企业微信) group robot receiver. The URL's `key` is the only credential: give it from env or a file. */
export const wecomChannelConfigSchema = z.object({
  name: z.string().min(1).default('wecom').describe('Channel name in logs and notification records'),
  webhookUrl: z.string().optional().describe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… (secret)'),
  webhookUrlFile: z.string().optional().describe('File holding the webhook URL'),
  timeoutMs: z.number().int().positive().default(10_000).describe('Give up on a request after this long'),
});

export type WecomChannelConfig = z.input<typeof wecomChannelConfigSchema>;
