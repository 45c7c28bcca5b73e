import { z } from 'zod';

/** Microsoft Teams receiver: a Workflows ("When a Teams webhook request is received") URL; its `sig` query parameter is the secret. */
export const teamsChannelConfigSchema = z.object({
  name: z.string().min(1).default('teams').describe('Channel name in logs and notification records'),
  webhookUrl: z.string().optional().describe('https://…logic.azure.com/workflows/…&sig=… or the Power Automate URL (secret)'),
  webhookUrlFile: z.string().optional().describe('File holding the webhook URL'),
  timeoutMs: z.number().int().positive().default(10_000).describe('Give up on a request after this long'),
});

export type TeamsChannelConfig = z.input<typeof teamsChannelConfigSchema>;
