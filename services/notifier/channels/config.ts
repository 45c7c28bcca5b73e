import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { VigilError } from '../../../src/errors.js';

/**
 * The fields every webhook receiver's config has: its name (the vendor by default), the URL (a
 * secret, so inline from env or as a file) and the request timeout. `url` says what the URL looks like.
 */
export function webhookReceiverFields(defaultName: string, url: { description: string; fileDescription?: string }) {
  return {
    name: z.string().min(1).default(defaultName).describe('Channel name in logs and notification records'),
    webhookUrl: z.string().optional().describe(url.description),
    webhookUrlFile: z.string().optional().describe(url.fileDescription ?? 'File holding the webhook URL'),
    timeoutMs: z.number().int().positive().default(10_000).describe('Give up on a request after this long'),
  };
}

/** Parses a channel config; the error names the path of each bad key and never echoes a value (values hold secrets). */
export function parseChannelConfig<S extends z.ZodType>(schema: S, config: unknown, channel: string): z.output<S> {
  const parsed = schema.safeParse(config);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.code}`).join('; ');
    throw new VigilError('VIGIL_CONFIG', `${channel} channel: ${where}`, { retriable: false });
  }
  return parsed.data;
}

/**
 * A secret given inline (usually from env through the service config) or as `…File`, a path whose
 * trimmed content is the secret (Kubernetes secret volumes). Exactly one must be set when `required`.
 */
export function resolveSecret(channel: string, key: string, value: string | undefined, file: string | undefined, required: true): string;
export function resolveSecret(channel: string, key: string, value: string | undefined, file: string | undefined, required: false): string | undefined;
export function resolveSecret(channel: string, key: string, value: string | undefined, file: string | undefined, required: boolean): string | undefined {
  if (value !== undefined && file !== undefined) throw new VigilError('VIGIL_CONFIG', `${channel} channel: set ${key} or ${key}File, not both`, { retriable: false });
  if (file !== undefined) {
    let content: string;
    try {
      content = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new VigilError('VIGIL_CONFIG', `${channel} channel: ${key}File ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { retriable: false });
    }
    if (!content) throw new VigilError('VIGIL_CONFIG', `${channel} channel: ${key}File ${file} is empty`, { retriable: false });
    return content;
  }
  if (value !== undefined && value !== '') return value;
  if (required) throw new VigilError('VIGIL_CONFIG', `${channel} channel: ${key} or ${key}File is required`, { retriable: false });
  return undefined;
}

/** A webhook URL (a secret: it carries the token); the error says what is wrong without printing it. */
export function resolveWebhookUrl(channel: string, value: string | undefined, file: string | undefined): URL {
  const raw = resolveSecret(channel, 'webhookUrl', value, file, true);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new VigilError('VIGIL_CONFIG', `${channel} channel: webhookUrl is not a URL`, { retriable: false });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new VigilError('VIGIL_CONFIG', `${channel} channel: webhookUrl must be http(s)`, { retriable: false });
  return url;
}
