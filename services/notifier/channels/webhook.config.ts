import { z } from 'zod';
import { webhookReceiverFields } from './config.js';

/** Generic JSON webhook receiver; every request is signed with the shared secret so the receiver can reject forgeries and replays. */
export const webhookChannelConfigSchema = z.object({
  ...webhookReceiverFields('webhook', { description: 'Receiver URL (may carry a token: treated as a secret)', fileDescription: 'File holding the receiver URL' }),
  secret: z.string().optional().describe('HMAC-SHA256 signing secret shared with the receiver'),
  secretFile: z.string().optional().describe('File holding the signing secret'),
});

export type WebhookChannelConfig = z.input<typeof webhookChannelConfigSchema>;
