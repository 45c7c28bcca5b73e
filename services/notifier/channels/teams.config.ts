import { z } from 'zod';
import { webhookReceiverFields } from './config.js';

/** Microsoft Teams receiver: a Workflows ("When a Teams webhook request is received") URL; its `sig` query parameter is the secret. */
export const teamsChannelConfigSchema = z.object({
  ...webhookReceiverFields('teams', { description: 'https://…logic.azure.com/workflows/…&sig=… or the Power Automate URL (secret)' }),
});

export type TeamsChannelConfig = z.input<typeof teamsChannelConfigSchema>;
