import nodemailer from 'nodemailer';
import { z } from 'zod';
import { VigilError } from '../../../src/errors.js';
import type { EmailMessage } from '../core/render.js';

/** Email receiver config, validated where it is defined. */
export const emailChannelConfigSchema = z.object({
  smtpUrl: z.url({ protocol: /^smtps?$/ }).describe('SMTP server, e.g. smtp://user:pass@mail.example.com:587 or smtps://...:465'),
  from: z.email().describe('Sender address'),
  to: z.array(z.email()).min(1).describe('Receivers'),
  connectionTimeoutMs: z.number().int().positive().default(10_000).describe('Give up connecting / waiting for the greeting after this long'),
  socketTimeoutMs: z.number().int().positive().default(30_000).describe('Give up on an idle connection after this long'),
});

export type EmailChannelConfig = z.input<typeof emailChannelConfigSchema>;

/** What a send did: the caller owns retries and uses `retry` to decide whether another attempt can help. */
export type SendResult = { ok: true } | { ok: false; retry: boolean; error: string };

export interface EmailChannel {
  send(message: EmailMessage): Promise<SendResult>;
  close(): void;
}

/** Failures nodemailer reports without an SMTP reply that another attempt will not fix. */
const permanentCodes = new Set(['EENVELOPE', 'EMESSAGE', 'EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'EREQUIRETLS', 'EMAXRECIPIENTS']);

interface SmtpError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
}

/**
 * SMTP's own rule decides: a 4xx reply is a temporary failure (greylisting, mailbox busy, rate
 * limit) and may succeed later; a 5xx reply is permanent. Without a reply, connection and timeout
 * failures are retriable, configuration and envelope errors are not.
 */
export function classifySendError(error: unknown): { retry: boolean; error: string } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpError;
  const text = e.response ?? e.message ?? String(error);
  if (typeof e.responseCode === 'number') return { retry: e.responseCode >= 400 && e.responseCode < 500, error: text };
  return { retry: !(e.code !== undefined && permanentCodes.has(e.code)), error: e.code ? `${e.code}: ${text}` : text };
}

/**
 * The Message-ID every message of a thread replies to and references (RFC 5322 §3.6.4): no mail
 * carries it, but clients that thread by References / In-Reply-To (Gmail, Outlook, Thunderbird)
 * put the messages of one group together.
 */
export function threadRoot(thread: string, from: string): string {
  return `<vigil-group-${thread.replace(/[^A-Za-z0-9.-]/g, '-')}@${from.split('@')[1] ?? 'vigil'}>`;
}

/** Sends report emails through one SMTP server (nodemailer). `send` never throws; a bad config throws VIGIL_CONFIG. */
export function createEmailChannel(config: EmailChannelConfig): EmailChannel {
  const parsed = emailChannelConfigSchema.safeParse(config);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ');
    throw new VigilError('VIGIL_CONFIG', `email channel: ${where}`, { retriable: false });
  }
  const { smtpUrl, from, to, connectionTimeoutMs, socketTimeoutMs } = parsed.data;
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: connectionTimeoutMs,
    greetingTimeout: connectionTimeoutMs,
    socketTimeout: socketTimeoutMs,
  });

  return {
    async send(message) {
      try {
        const threading = message.thread === undefined ? {} : { inReplyTo: threadRoot(message.thread, from), references: [threadRoot(message.thread, from)] };
        const info = await transport.sendMail({ from, to, subject: message.subject, text: message.text, html: message.html, ...threading });
        const rejected = (info.rejected ?? []).map(String);
        // Some receivers got it: another attempt would send them a duplicate, so report without retry.
        if (rejected.length > 0) {
          return { ok: false, retry: false, error: `rejected for ${rejected.join(', ')} (accepted for ${(info.accepted ?? []).map(String).join(', ')})` };
        }
        return { ok: true };
      } catch (error) {
        return { ok: false, ...classifySendError(error) };
      }
    },
    close() {
      transport.close();
    },
  };
}
