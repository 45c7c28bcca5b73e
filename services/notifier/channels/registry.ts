/**
 * Channel type → factory: builds the channels of a routing receiver from their YAML settings
 * (snake_case keys, e.g. `webhook_url_file`, become the senders' camelCase config keys). stdout and
 * email render the reports themselves, as they did before routing; the IM channels and the generic
 * webhook render the channel-neutral NotificationMessage.
 */
import { VigilError } from '../../../src/errors.js';
import type { EmailMessage } from '../core/render.js';
import type { ChannelConfig, ChannelType, Receiver } from '../core/routing/config.js';
import { sourceEmail, sourceLine, type NotifierSource } from '../core/sources.js';
import { parseRateLimit } from '../core/token-bucket.js';
import type { Channel, DeliveryResult, NotificationMessage } from './channel.js';
import { createDingtalkChannel } from './dingtalk.js';
import { createEmailChannel } from './email.js';
import { createFeishuChannel } from './feishu.js';
import { createSlackChannel } from './slack.js';
import { createTeamsChannel } from './teams.js';
import { createWebhookChannel } from './webhook.js';
import { createWecomChannel } from './wecom.js';

/** What a flush (or a digest of several) hands to a channel: the message, and each source record with its own message (at least one). */
export interface Delivery {
  readonly message: NotificationMessage;
  readonly parts: readonly { readonly source: NotifierSource; readonly message: NotificationMessage }[];
}

/** Sends per channel type unless a channel sets `rate_limit`, after each vendor's documented limit. */
export const defaultRateLimits: Record<ChannelType, string> = {
  stdout: 'unlimited',
  email: '10/s',
  // https://api.slack.com/apis/rate-limits#incoming-webhooks: about one message per second.
  slack: '1/s',
  // DingTalk custom robot: 20 messages a minute per robot.
  dingtalk: '20/m',
  // Feishu custom bot: 100 a minute, 5 a second.
  feishu: '5/s',
  // WeCom group robot: 20 messages a minute.
  wecom: '20/m',
  teams: '4/s',
  webhook: 'unlimited',
};

/** A channel of a receiver, ready to send. `send` never throws. */
export interface RoutedChannel {
  readonly type: ChannelType;
  /** Channel name in logs. */
  readonly name: string;
  /** The `receiver` field of notification records: an address list, a channel name, or stdout. */
  readonly receiver: string;
  readonly sendResolved: boolean;
  /** Token bucket of the channel (from `rate_limit` or `defaultRateLimits`). */
  readonly rateLimit: { capacity: number; perTokenMs: number };
  send(delivery: Delivery, signal?: AbortSignal): Promise<DeliveryResult>;
  close?(): void;
}

/** Defaults from the service environment. */
export interface ChannelDeps {
  print: (line: string) => void;
  now: () => number;
  smtpUrl?: string | undefined;
  emailFrom: string;
  emailTo?: readonly string[] | undefined;
}

export type ChannelFactory = (settings: Record<string, unknown>, deps: ChannelDeps, sendResolved: boolean) => Omit<RoutedChannel, 'rateLimit'>;

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The sender's own settings of a channel config: without `type` / `send_resolved` / `rate_limit`, keys in camelCase; `url` is an alias of `webhookUrl`. */
export function channelSettings(config: ChannelConfig): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'type' || key === 'send_resolved' || key === 'rate_limit') continue;
    const name = camelCase(key);
    settings[name === 'url' ? 'webhookUrl' : name === 'urlFile' ? 'webhookUrlFile' : name] = value;
  }
  return settings;
}

function fromChannel(type: ChannelType, build: (settings: Record<string, unknown>, deps: ChannelDeps) => Channel): ChannelFactory {
  return (settings, deps, sendResolved) => {
    const channel = build(settings, deps);
    return { type, name: channel.name, receiver: channel.name, sendResolved, send: ({ message }, signal) => channel.send(message, signal) };
  };
}

function combinedEmail(delivery: Delivery): EmailMessage {
  const emails = delivery.parts.map((part) => sourceEmail(part.source, part.message));
  if (emails.length === 1) return emails[0]!;
  return {
    subject: delivery.message.title,
    text: emails.map((email) => email.text).join('\n\n----\n\n'),
    html: emails.map((email) => email.html).join('<hr>'),
  };
}

export const channelFactories: Record<ChannelType, ChannelFactory> = {
  stdout: (_settings, deps, sendResolved) => ({
    type: 'stdout',
    name: 'stdout',
    receiver: 'stdout',
    sendResolved,
    async send({ parts }) {
      for (const part of parts) deps.print(sourceLine(part.source, part.message));
      return { ok: true };
    },
  }),
  email: (settings, deps, sendResolved) => {
    const smtpUrl = (settings.smtpUrl as string | undefined) ?? deps.smtpUrl;
    const to = (settings.to as string[] | undefined) ?? deps.emailTo;
    if (!smtpUrl || !to) throw new VigilError('VIGIL_CONFIG', 'email channel: smtp_url and to are required (or VIGIL_SMTP_URL and VIGIL_EMAIL_TO)', { retriable: false });
    const email = createEmailChannel({ smtpUrl, from: (settings.from as string | undefined) ?? deps.emailFrom, to: [...to] });
    return {
      type: 'email',
      name: 'email',
      receiver: to.join(','),
      sendResolved,
      send: (delivery) => email.send({ ...combinedEmail(delivery), thread: delivery.message.groupKey }),
      close: () => email.close(),
    };
  },
  slack: fromChannel('slack', (settings) => createSlackChannel(settings as never)),
  dingtalk: fromChannel('dingtalk', (settings, deps) => createDingtalkChannel(settings as never, deps.now)),
  feishu: fromChannel('feishu', (settings, deps) => createFeishuChannel(settings as never, deps.now)),
  wecom: fromChannel('wecom', (settings) => createWecomChannel(settings as never)),
  teams: fromChannel('teams', (settings) => createTeamsChannel(settings as never)),
  webhook: fromChannel('webhook', (settings, deps) => createWebhookChannel(settings as never, deps.now)),
};

/** Builds every channel of a receiver; a bad channel config throws VIGIL_CONFIG naming `receivers.<name>.channels[i]`. */
export function createReceiverChannels(receiver: Receiver, deps: ChannelDeps): RoutedChannel[] {
  return receiver.channels.map((config, index) => {
    try {
      const rateText = config.rate_limit ?? defaultRateLimits[config.type];
      const rateLimit = typeof rateText === 'string' ? parseRateLimit(rateText) : undefined;
      if (!rateLimit) throw new VigilError('VIGIL_CONFIG', `rate_limit: expected N/s, N/m, N/h or unlimited, got ${JSON.stringify(rateText)}`, { retriable: false });
      return { ...channelFactories[config.type](channelSettings(config), deps, config.send_resolved), rateLimit };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new VigilError('VIGIL_CONFIG', `receivers.${receiver.name}.channels[${index}] (${config.type}): ${message}`, { cause: error, retriable: false });
    }
  });
}
