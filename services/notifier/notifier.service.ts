/**
 * The notifier in two stages over the bus.
 *
 * 1. Intake: consumes diagnosis.reports (and, when the routing config has routes below the root,
 *    health.updates and anomalies — notified only where such a route matches them), turns each
 *    record into an alert, matches it to routes and writes one ALERT entry per group it joins to
 *    notifier.outbox, keyed by group key; the input is committed once those are acknowledged.
 * 2. Owner (outbox-owner.ts): the instance given a notifier.outbox partition owns its groups —
 *    grouping, silences, inhibition, dedup against the notification log, the channels' durable
 *    outboxes with token buckets, retries and digests. Every attempt is published on notifications.
 *
 * Silences are shared through notifier.silences (silence-store.ts); the alert history is read back
 * from notifications (history.ts); both are served on the host's HTTP API (api.ts).
 *
 * Without VIGIL_NOTIFIER_CONFIG the routing is defaultRoutingConfig: one line on stdout per report,
 * and an email per report when VIGIL_SMTP_URL is set, both at once.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RecentIds } from '../../src/bus/dedup.js';
import type { Subscription } from '../../src/bus/bus.js';
import { VigilError } from '../../src/errors.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { registerNotifierApi } from './api.js';
import { createReceiverChannels, type RoutedChannel } from './channels/registry.js';
import { defaultRoutingConfig, parseRoutingConfig, type RoutingConfig } from './core/routing/config.js';
import { groupKeyOf, groupLabelsOf } from './core/routing/group.js';
import { matchRoutes } from './core/routing/route.js';
import { alertFromSource, supersededAlerts, type NotifierSource } from './core/sources.js';
import { openNotificationHistory } from './history.js';
import { alertEntry, startOutboxOwner } from './outbox-owner.js';
import { openSilenceStore } from './silence-store.js';
import { systemTimers, type Timers } from './timers.js';

const emailList = z
  .string()
  .transform((value) => value.split(',').map((address) => address.trim()).filter(Boolean))
  .pipe(z.array(z.email()).min(1));

export const notifierConfigSchema = commonConfigSchema.extend({
  VIGIL_NOTIFIER_GROUP: z.string().min(1).default('vigil-notifier').describe('Consumer group of the notifier (its outbox, silence and history readers are named after it)'),
  VIGIL_NOTIFIER_CONFIG: z.string().min(1).optional().describe('Routing YAML (routes, receivers and their channels, inhibit rules, time intervals); unset = every report to stdout, and to email when VIGIL_SMTP_URL is set'),
  VIGIL_NOTIFIER_RETRY_BASE_MS: z.coerce.number().int().min(1).default(500).describe('First retry delay of a failed send; doubles per attempt (with jitter, at most 30 s) unless the receiver asks for longer with Retry-After'),
  VIGIL_NOTIFIER_GIVE_UP_MS: z.coerce.number().int().min(1).default(86_400_000).describe('How long a notification is retried (receiver down, 429s, 5xx) before it is recorded as FAILED for good; what piles up meanwhile is sent as one digest'),
  VIGIL_NOTIFIER_TAKEOVER_GRACE_MS: z.coerce.number().int().min(0).default(10_000).describe('After an instance takes over notifier.outbox partitions (restart, rebalance), how long the groups it replayed wait before being sent again, so a send the previous owner was finishing can record itself first'),
  VIGIL_NOTIFIER_REPORT_FIRING_MS: z.coerce.number().int().min(1).default(3_600_000).describe('How long a report counts as a firing alert (for grouping, inhibition and repeat_interval) before it resolves and leaves its group'),
  VIGIL_NOTIFIER_HISTORY: z.coerce.number().int().min(1).default(5000).describe('Records of the notifications topic kept in memory for GET /api/notifications and `vigil notifications`'),
  VIGIL_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional().describe('SMTP server for email alerts, e.g. smtp://user:pass@mail.example.com:587; unset = no email'),
  VIGIL_EMAIL_FROM: z.email().default('vigil@localhost.localdomain').describe('Sender address of alert emails'),
  VIGIL_EMAIL_TO: emailList.optional().describe('Comma-separated receivers of alert emails (required with VIGIL_SMTP_URL)'),
}).refine((config) => !config.VIGIL_SMTP_URL || config.VIGIL_EMAIL_TO, { path: ['VIGIL_EMAIL_TO'], message: 'required when VIGIL_SMTP_URL is set' });

/** Reads and validates the routing YAML; errors are VIGIL_CONFIG naming the file and the path of the bad key. */
export function loadRoutingConfig(file: string | undefined, options: { email: boolean }): RoutingConfig {
  if (file === undefined) return defaultRoutingConfig(options);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new VigilError('VIGIL_CONFIG', `VIGIL_NOTIFIER_CONFIG ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error, retriable: false });
  }
  try {
    return parseRoutingConfig(text);
  } catch (error) {
    if (error instanceof VigilError) throw new VigilError('VIGIL_CONFIG', `VIGIL_NOTIFIER_CONFIG ${file}: ${error.message}`, { cause: error, retriable: false });
    throw error;
  }
}

/**
 * The ALERT entries a source record becomes: one per group of each route it matches. Reports go
 * wherever the tree sends them (the root catches the rest); health updates and anomalies only to
 * routes below the root that match them. An anomaly's UPDATE or RESOLVED also resolves it at its
 * other severities, which may sit in other groups.
 */
export function intakeEntries(routing: RoutingConfig, source: NotifierSource, nowMs: number, reportFiringMs: number) {
  const alert = alertFromSource(source, nowMs, reportFiringMs);
  return [alert, ...supersededAlerts(source, alert)].flatMap((each) => {
    const routes = matchRoutes(routing.route, each.labels).filter((route) => source.type === 'report' || route !== routing.route);
    return routes.map((route) => {
      const groupKey = groupKeyOf(route, groupLabelsOf(route, each.labels));
      return { key: groupKey, value: alertEntry(groupKey, route.id, route.receiver, each, source) };
    });
  });
}

/** `timers` replaces the wall clock and setTimeout (tests drive a manual clock). */
export function createNotifier(options: { timers?: Timers } = {}): ServiceDefinition<typeof notifierConfigSchema> {
  return {
    name: 'notifier',
    configSchema: notifierConfigSchema,
    async start(config, { io, logger, clock, print, api }) {
      const timers = options.timers ?? systemTimers(clock);
      const email = Boolean(config.VIGIL_SMTP_URL && config.VIGIL_EMAIL_TO);
      const routing = loadRoutingConfig(config.VIGIL_NOTIFIER_CONFIG, { email });
      const channelDeps = { print, now: timers.now, smtpUrl: config.VIGIL_SMTP_URL, emailFrom: config.VIGIL_EMAIL_FROM, emailTo: config.VIGIL_EMAIL_TO };
      const receivers = new Map<string, RoutedChannel[]>();
      const closeChannels = () => { for (const channels of receivers.values()) for (const channel of channels) channel.close?.(); };
      try {
        for (const receiver of routing.receivers.values()) receivers.set(receiver.name, createReceiverChannels(receiver, channelDeps));
      } catch (error) {
        closeChannels();
        if (config.VIGIL_NOTIFIER_CONFIG && error instanceof VigilError) throw new VigilError('VIGIL_CONFIG', `VIGIL_NOTIFIER_CONFIG ${config.VIGIL_NOTIFIER_CONFIG}: ${error.message}`, { cause: error, retriable: false });
        throw error;
      }

      const group = config.VIGIL_NOTIFIER_GROUP;
      const silences = await openSilenceStore(io, { group, clock: timers.now, logger });
      const history = await openNotificationHistory(io, { group, capacity: config.VIGIL_NOTIFIER_HISTORY });
      const removeApi = api ? registerNotifierApi(api, { silences, history, clock: timers.now }) : undefined;
      await silences.ready;

      const owner = await startOutboxOwner({
        io, group: `${group}.outbox`, routing, receivers, timers, logger, silences: silences.state,
        retryBaseMs: config.VIGIL_NOTIFIER_RETRY_BASE_MS, giveUpMs: config.VIGIL_NOTIFIER_GIVE_UP_MS, takeoverGraceMs: config.VIGIL_NOTIFIER_TAKEOVER_GRACE_MS,
      });

      const intake = (source: NotifierSource): Promise<void> =>
        io.publish('notifier.outbox', intakeEntries(routing, source, timers.now(), config.VIGIL_NOTIFIER_REPORT_FIRING_MS));
      const seenReports = new RecentIds(10_000);
      const inputs: Subscription[] = [];
      inputs.push(await io.subscribe({
        topic: 'diagnosis.reports',
        group,
        handler: async (report) => {
          if (seenReports.has(report.id)) return;
          await intake({ type: 'report', record: report });
          seenReports.add(report.id);
        },
      }));
      if (routing.route.routes.length > 0) {
        inputs.push(await io.subscribe({ topic: 'health.updates', group: `${group}.health`, handler: (record) => intake({ type: 'health', record }) }));
        inputs.push(await io.subscribe({ topic: 'anomalies', group: `${group}.anomalies`, handler: (record) => intake({ type: 'anomaly', record }) }));
      }
      logger.info({ group, config: config.VIGIL_NOTIFIER_CONFIG ?? 'default', receivers: [...receivers.keys()], inputs: inputs.length }, 'notifier started');

      const stop = async (commit: boolean): Promise<void> => {
        removeApi?.();
        for (const input of inputs) await input.close({ commit });
        await owner.close({ commit });
        await history.close();
        await silences.close();
        closeChannels();
      };
      return {
        name: 'notifier',
        close: () => stop(true),
        /** Stops as if the process died: nothing more is committed (tests). */
        crash: () => stop(false),
        pendingCount: () => owner.pendingCount(),
      } as NotifierHandle;
    },
  };
}

export interface NotifierHandle {
  readonly name: string;
  close(): Promise<void>;
  crash(): Promise<void>;
  pendingCount(): number;
}

export const notifier = createNotifier();
