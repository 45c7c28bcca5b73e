import { z } from 'zod';

/** DingTalk custom robot receiver. The URL carries access_token and the secret signs each request: give both from env or files. */
export const dingtalkChannelConfigSchema = z.object({
  name: z.string().min(1).default('dingtalk').describe('Channel name in logs and notification records'),
  webhookUrl: z.string().optional().describe('https://oapi.dingtalk.com/robot/send?access_token=… (secret)'),
  webhookUrlFile: z.string().optional().describe('File holding the webhook URL'),
  secret: z.string().optional().describe('Signing secret (SEC…) when the robot uses "加签"; omit for keyword / IP security'),
  secretFile: z.string().optional().describe('File holding the signing secret'),
  timeoutMs: z.number().int().positive().default(10_000).describe('Give up on a request after this long'),
});

export type DingtalkChannelConfig = z.input<typeof dingtalkChannelConfigSchema>;
