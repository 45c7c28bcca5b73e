import { z } from 'zod';
import { webhookReceiverFields } from './config.js';

/** Slack incoming webhook receiver. The URL carries the token: give it from env or as a file. */
export const slackChannelConfigSchema = z.object({
  ...webhookReceiverFields('slack', { description: 'https://hooks.slack.com/services/… (secret)' }),
});

export type SlackChannelConfig = z.input<typeof slackChannelConfigSchema>;
