/**
 * Consumes diagnosis.reports and notifies through the routing core: each report becomes an alert,
 * joins the aggregation groups of the routes it matches, and a group due (group_wait, then every
 * group_interval) is sent to every channel of its receiver, with retries; silenced or inhibited
 * alerts are recorded as SUPPRESSED instead. Every attempt is published on notifications.
 *
 * Each report is its own alert (see reportAlert) firing for VIGIL_NOTIFIER_REPORT_FIRING_MS.
 *
 * Without VIGIL_NOTIFIER_CONFIG the routing is defaultRoutingConfig: one line on stdout per report,
 * and an email per report when VIGIL_SMTP_URL is set, both at once.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RecentIds } from '../../src/bus/dedup.js';
import { deterministicId } from '../../src/codec/ids.js';
import type { DiagnosisReport, Notification, NotificationStatus } from '../../src/codec/records.generated.js';
import { VigilError } from '../../src/errors.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import type { DeliveryResult } from './channels/channel.js';
import { messageFromReport, oneLine } from './channels/message.js';
import { createReceiverChannels, type Delivery, type RoutedChannel } from './channels/registry.js';
import { notificationRecord } from './core/notification-record.js';
import type { Alert } from './core/routing/alert.js';
import { defaultRoutingConfig, parseRoutingConfig, type RoutingConfig } from './core/routing/config.js';
import { emptyGroups, flushDue, insertAlert, nextFlushAtMs, type Flush, type GroupState } from './core/routing/group.js';
import { alertFromReport } from './core/routing/labels.js';
import { muteReason } from './core/routing/mute.js';
import { createSilence, emptySilences, type SilenceInput, type SilenceResult, type SilenceState } from './core/routing/silence.js';

const emailList = z
  .string()
  .transform((value) => value.split(',').map((address) => address.trim()).filter(Boolean))
  .pipe(z.array(z.email()).min(1));

export const notifierConfigSchema = commonConfigSchema.extend({
  VIGIL_NOTIFIER_GROUP: z.string().min(1).default('vigil-notifier').describe('Consumer group of the notifier'),
  VIGIL_NOTIFIER_CONFIG: z.string().min(1).optional().describe('Routing YAML (routes, receivers and their channels, inhibit rules, time intervals); unset = every report to stdout, and to email when VIGIL_SMTP_URL is set'),
  VIGIL_NOTIFIER_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5).describe('Delivery attempts per notification on an IM / webhook channel before it is recorded as FAILED'),
  VIGIL_NOTIFIER_RETRY_BASE_MS: z.coerce.number().int().min(1).default(500).describe('First retry delay of a failed send; doubles per attempt (with jitter, at most 30 s) unless the receiver asks for longer with Retry-After'),
  VIGIL_NOTIFIER_REPORT_FIRING_MS: z.coerce.number().int().min(1).default(3_600_000).describe('How long a report counts as a firing alert (for grouping, inhibition and repeat_interval) before it resolves and leaves its group'),
  VIGIL_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional().describe('SMTP server for email alerts, e.g. smtp://user:pass@mail.example.com:587; unset = no email'),
  VIGIL_EMAIL_FROM: z.email().default('vigil@localhost.localdomain').describe('Sender address of alert emails'),
  VIGIL_EMAIL_TO: emailList.optional().describe('Comma-separated receivers of alert emails (required with VIGIL_SMTP_URL)'),
  VIGIL_EMAIL_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3).describe('Delivery attempts per email before it is recorded as FAILED'),
}).refine((config) => !config.VIGIL_SMTP_URL || config.VIGIL_EMAIL_TO, { path: ['VIGIL_EMAIL_TO'], message: 'required when VIGIL_SMTP_URL is set' });

const MAX_RETRY_DELAY_MS = 30_000;
const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Silences of the notifier instances in this process. A stand-in until silences get their HTTP API,
 * CLI and persistence (issue 8): tests and embedders add them here.
 */
let silences: SilenceState = emptySilences;

export function addNotifierSilence(input: SilenceInput, nowMs: number = Date.now()): SilenceResult {
  const result = createSilence(silences, input, nowMs);
  if (result.ok) silences = result.state;
  return result;
}

export function clearNotifierSilences(): void {
  silences = emptySilences;
}

/**
 * A report as an alert: its labels plus `report_id`, so each report is its own alert (a redelivered
 * report is the same alert; two reports about one entity are two, folded only by group_by), firing
 * for `firingMs` from when the notifier got it.
 */
export function reportAlert(report: DiagnosisReport, nowMs: number, firingMs: number): Alert {
  const alert = alertFromReport(report);
  return { ...alert, labels: { ...alert.labels, report_id: report.id }, resolvedAtMs: Math.max(nowMs, alert.startsAtMs) + firingMs };
}

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

/** The delay before retry `attempt + 1`: exponential with jitter, or what the receiver asked for when longer. */
export function retryDelayMs(attempt: number, baseMs: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const backoff = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** (attempt - 1));
  const jittered = backoff / 2 + random() * (backoff / 2);
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(jittered, retryAfterMs ?? 0));
}

/** The record of one flush on one channel: for a single report exactly the record the notifier always wrote; for a group, keyed by group and time. */
function flushRecord(reports: readonly DiagnosisReport[], flush: Pick<Flush, 'groupKey' | 'atMs'>, channel: RoutedChannel, subject: string, status: NotificationStatus, attempts: number, error?: string): Notification {
  if (reports.length === 1) return notificationRecord({ report: reports[0]!, channel: channel.type, receiver: channel.receiver, status, attempts, ...(error !== undefined ? { error } : {}) });
  const dedupKey = `group:${flush.groupKey}:${flush.atMs}`;
  return {
    id: deterministicId(dedupKey, channel.type, channel.receiver),
    dedupKey,
    channel: channel.type,
    receiver: channel.receiver,
    status,
    subject,
    sourceIds: reports.map((report) => report.id),
    attempts,
    error: error ?? null,
    timestampMs: Math.max(...reports.map((report) => report.createdAtMs)),
  };
}

export const notifier: ServiceDefinition<typeof notifierConfigSchema> = {
  name: 'notifier',
  configSchema: notifierConfigSchema,
  async start(config, { io, logger, print, clock }) {
    const email = Boolean(config.VIGIL_SMTP_URL && config.VIGIL_EMAIL_TO);
    const routing = loadRoutingConfig(config.VIGIL_NOTIFIER_CONFIG, { email });
    const channelDeps = { print, now: clock, smtpUrl: config.VIGIL_SMTP_URL, emailFrom: config.VIGIL_EMAIL_FROM, emailTo: config.VIGIL_EMAIL_TO };
    const receivers = new Map<string, RoutedChannel[]>();
    try {
      for (const receiver of routing.receivers.values()) receivers.set(receiver.name, createReceiverChannels(receiver, channelDeps));
    } catch (error) {
      for (const channels of receivers.values()) for (const channel of channels) channel.close?.();
      if (config.VIGIL_NOTIFIER_CONFIG && error instanceof VigilError) throw new VigilError('VIGIL_CONFIG', `VIGIL_NOTIFIER_CONFIG ${config.VIGIL_NOTIFIER_CONFIG}: ${error.message}`, { cause: error, retriable: false });
      throw error;
    }

    const delivered = new RecentIds(10_000);
    const suppressedSeen = new RecentIds(10_000);
    const reports = new Map<string, DiagnosisReport>();
    const aborter = new AbortController();
    let groups: GroupState = emptyGroups;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let queue: Promise<void> = Promise.resolve();

    const exclusive = (work: () => Promise<void>): Promise<void> => {
      const run = queue.then(work);
      queue = run.catch(() => undefined);
      return run;
    };

    const publish = (records: Notification[]) => io.publish('notifications', records.map((value) => ({ key: value.dedupKey, value })));

    /** Sends until delivered, a permanent failure or the last attempt; publishes every attempt. */
    const deliver = async (channel: RoutedChannel, delivery: Delivery, flush: Flush): Promise<void> => {
      const maxAttempts = channel.type === 'email' ? config.VIGIL_EMAIL_ATTEMPTS : config.VIGIL_NOTIFIER_ATTEMPTS;
      for (let attempts = 1; ; attempts += 1) {
        let result: DeliveryResult;
        try {
          result = await channel.send(delivery, aborter.signal);
        } catch (error) {
          result = { ok: false, retry: true, error: error instanceof Error ? error.message : String(error) };
        }
        if (result.ok) {
          await publish([flushRecord(delivery.reports, flush, channel, delivery.message.title, 'SENT', attempts)]);
          return;
        }
        const last = !result.retry || attempts >= maxAttempts || closed;
        logger.warn({ channel: channel.name, groupKey: flush.groupKey, attempts, retry: !last, error: result.error }, 'notification delivery failed');
        const error = last ? result.error : `attempt ${attempts} failed, retrying: ${result.error}`;
        await publish([flushRecord(delivery.reports, flush, channel, delivery.message.title, 'FAILED', attempts, error)]);
        if (last) return;
        const delayMs = retryDelayMs(attempts, config.VIGIL_NOTIFIER_RETRY_BASE_MS, result.retryAfterMs);
        await new Promise<void>((resolve) => {
          const onAbort = () => { clearTimeout(wait); resolve(); };
          const wait = setTimeout(() => { aborter.signal.removeEventListener('abort', onAbort); resolve(); }, delayMs);
          aborter.signal.addEventListener('abort', onAbort, { once: true });
        });
      }
    };

    const reportsOf = (alerts: readonly Alert[]): DiagnosisReport[] =>
      alerts.flatMap((alert) => (alert.sourceId !== undefined && reports.has(alert.sourceId) ? [reports.get(alert.sourceId)!] : []));

    const sendFlush = async (flush: Flush): Promise<void> => {
      const channels = receivers.get(flush.receiver) ?? [];
      const resolvedOnly = flush.firing.length === 0;
      const about = reportsOf(resolvedOnly ? flush.resolved : flush.firing).sort((a, b) => b.createdAtMs - a.createdAtMs || a.id.localeCompare(b.id));
      if (about.length === 0) return;
      const primary = messageFromReport(about[0]!, { groupKey: flush.groupKey, resolved: resolvedOnly });
      const message = about.length === 1 ? primary : { ...primary, title: oneLine(`${primary.title} and ${about.length - 1} more`) };
      await Promise.all(
        channels
          .filter((channel) => !resolvedOnly || channel.sendResolved)
          .map((channel) => deliver(channel, { message, reports: about }, flush)),
      );
    };

    const schedule = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const next = nextFlushAtMs(groups);
      if (next === undefined || closed) return;
      // setTimeout holds at most ~24.8 days; a later flush is looked at again then.
      timer = setTimeout(() => {
        timer = undefined;
        exclusive(processDue).catch((error: unknown) => logger.error({ err: error }, 'notifier flush failed'));
      }, Math.min(2 ** 31 - 1, Math.max(0, next - clock())));
      timer.unref?.();
    };

    /** Flushes every group due now: SUPPRESSED records for muted alerts, sends for the rest. */
    const processDue = async (): Promise<void> => {
      if (closed) return;
      const nowMs = clock();
      const active = Object.values(groups.groups).flatMap((group) => Object.values(group.alerts));
      const result = flushDue(groups, routing, nowMs, { suppress: (alert) => muteReason(routing, silences, active, alert, nowMs) });
      groups = result.state;

      const suppressedRecords: Notification[] = [];
      for (const { receiver, alert, reason } of result.suppressed) {
        const report = alert.sourceId !== undefined ? reports.get(alert.sourceId) : undefined;
        if (!report) continue;
        for (const channel of receivers.get(receiver) ?? []) {
          const record = notificationRecord({ report, channel: channel.type, receiver: channel.receiver, status: 'SUPPRESSED', attempts: 0, error: reason });
          if (suppressedSeen.has(record.id)) continue;
          suppressedSeen.add(record.id);
          suppressedRecords.push(record);
        }
      }
      if (suppressedRecords.length > 0) await publish(suppressedRecords);
      for (const flush of result.flushes) await sendFlush(flush);

      const alive = new Set(Object.values(groups.groups).flatMap((group) => Object.values(group.alerts).map((alert) => alert.sourceId)));
      for (const id of reports.keys()) if (!alive.has(id)) reports.delete(id);
      schedule();
    };

    const subscription = await io.subscribe({
      topic: 'diagnosis.reports',
      group: config.VIGIL_NOTIFIER_GROUP,
      handler: async (report) => {
        if (delivered.has(report.id)) return;
        await exclusive(async () => {
          const nowMs = clock();
          reports.set(report.id, report);
          groups = insertAlert(groups, routing, reportAlert(report, nowMs, config.VIGIL_NOTIFIER_REPORT_FIRING_MS), nowMs);
          const next = nextFlushAtMs(groups);
          if (next !== undefined && next <= nowMs) await processDue();
          else {
            if (!Object.values(groups.groups).some((group) => Object.values(group.alerts).some((alert) => alert.sourceId === report.id))) reports.delete(report.id);
            schedule();
          }
        });
        delivered.add(report.id);
      },
    });
    logger.info({ group: config.VIGIL_NOTIFIER_GROUP, config: config.VIGIL_NOTIFIER_CONFIG ?? 'default', receivers: [...receivers.keys()] }, 'notifier started');
    return {
      name: 'notifier',
      async close() {
        await subscription.close();
        closed = true;
        if (timer) clearTimeout(timer);
        aborter.abort();
        await queue;
        for (const channels of receivers.values()) for (const channel of channels) channel.close?.();
      },
    };
  },
};

