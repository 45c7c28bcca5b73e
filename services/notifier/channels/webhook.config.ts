import { z } from 'zod';

/** Generic JSON webhook receiver; every request is signed with the shared secret so the receiver can reject forgeries and replays. */
export const webhookChannelConfigSchema = z.object({
  name: z.string().min(1).default('webhook').describe('Channel name in logs and notification records'),
  webhookUrl: z.string().optional().describe('Receiver URL (may carry a token: treated as a secret)'),
  webhookUrlFile: z.string().optional().describe('File holding the receiver URL'),
  secret: z.string().optional().describe('HMAC-SHA256 signing secret shared with the receiver'),
  secretFile: z.string().optional().describe('File holding the signing secret'),
  timeoutMs: z.number().int().positive().default(10_000).describe('Give up on a request after this long'),
});

export type WebhookChannelConfig = z.input<typeof webhookChannelConfigSchema>;
