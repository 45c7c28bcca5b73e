import { z } from 'zod';
import { webhookReceiverFields } from './config.js';

/** WeCom (企业微信) group robot receiver. The URL's `key` is the only credential: give it from env or a file. */
export const wecomChannelConfigSchema = z.object({
  ...webhookReceiverFields('wecom', { description: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… (secret)' }),
});

export type WecomChannelConfig = z.input<typeof wecomChannelConfigSchema>;
