import { z } from 'zod';

/** Slack incoming webhook receiver. The URL carries the token: give it from env or as a file. */
export const slackChannelConfigSchema = z.object({
  name: z.string().min(1).default('slack').describe('Channel name in logs and notification records'),
  webhookUrl: z.string().optional().describe('https://hooks.slack.com/services/… (secret)'),
  webhookUrlFile: z.string().optional().describe('File holding the webhook URL'),
  timeoutMs: z.number().int().positive().default(10_000).describe('Give up on a request after this long'),
});

export type SlackChannelConfig = z.input<typeof slackChannelConfigSchema>;
