import { z } from 'zod';
import { webhookReceiverFields } from './config.js';

/** DingTalk custom robot receiver. The URL carries access_token and the secret signs each request: give both from env or files. */
export const dingtalkChannelConfigSchema = z.object({
  ...webhookReceiverFields('dingtalk', { description: 'https://oapi.dingtalk.com/robot/send?access_token=… (secret)' }),
  secret: z.string().optional().describe('Signing secret (SEC…) when the robot uses "加签"; omit for keyword / IP security'),
  secretFile: z.string().optional().describe('File holding the signing secret'),
});

export type DingtalkChannelConfig = z.input<typeof dingtalkChannelConfigSchema>;
