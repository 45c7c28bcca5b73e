/** The console's settings, part of the scorer's config schema (the scorer serves the console). */
import { z } from 'zod';

export const consoleConfigShape = {
  VIGIL_CONSOLE_TOKEN: z.string().trim().min(16, 'at least 16 characters').optional().describe('Token the console and the /api routes require when VIGIL_HTTP_HOST is not a loopback address (the scorer refuses to start without it then): send "Authorization: Bearer <token>", or open the console once at /?token=<token>. /healthz, /readyz and /metrics stay open'),
  VIGIL_NOTIFIER_URL: z.url({ protocol: /^https?$/ }).optional().describe('Base URL of the notifier\'s HTTP API when it runs in another process (e.g. http://notifier:9464); the console forwards /api/silences and /api/notifications there. Unset: the notifier serves them on this host (vigil start)'),
};

export interface ConsoleConfig {
  VIGIL_HTTP_HOST: string;
  VIGIL_CONSOLE_TOKEN?: string | undefined;
  VIGIL_NOTIFIER_URL?: string | undefined;
  VIGIL_CLUSTER: string;
}
