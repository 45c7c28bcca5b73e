/**
 * Consumes diagnosis.reports: prints one human-readable line per report, emails it when
 * VIGIL_SMTP_URL is set, and publishes what was done to notifications.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { RecentIds } from '../../src/bus/dedup.js';
import type { DiagnosisReport, Notification } from '../../src/codec/records.generated.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { createEmailChannel } from './channels/email.js';
import { notificationRecord } from './core/notification-record.js';
import { renderReportEmail, renderReportLine } from './core/render.js';

const emailList = z
  .string()
  .transform((value) => value.split(',').map((address) => address.trim()).filter(Boolean))
  .pipe(z.array(z.email()).min(1));

export const notifierConfigSchema = commonConfigSchema.extend({
  VIGIL_NOTIFIER_GROUP: z.string().min(1).default('vigil-notifier').describe('Consumer group of the notifier'),
  VIGIL_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional().describe('SMTP server for email alerts, e.g. smtp://user:pass@mail.example.com:587; unset = no email'),
  VIGIL_EMAIL_FROM: z.email().default('vigil@localhost.localdomain').describe('Sender address of alert emails'),
  VIGIL_EMAIL_TO: emailList.optional().describe('Comma-separated receivers of alert emails (required with VIGIL_SMTP_URL)'),
  VIGIL_EMAIL_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3).describe('Delivery attempts per email before it is recorded as FAILED'),
}).refine((config) => !config.VIGIL_SMTP_URL || config.VIGIL_EMAIL_TO, { path: ['VIGIL_EMAIL_TO'], message: 'required when VIGIL_SMTP_URL is set' });

export const notifier: ServiceDefinition<typeof notifierConfigSchema> = {
  name: 'notifier',
  configSchema: notifierConfigSchema,
  async start(config, { io, logger, print }) {
    const delivered = new RecentIds(10_000);
    const email = config.VIGIL_SMTP_URL && config.VIGIL_EMAIL_TO
      ? createEmailChannel({ smtpUrl: config.VIGIL_SMTP_URL, from: config.VIGIL_EMAIL_FROM, to: config.VIGIL_EMAIL_TO })
      : undefined;

    const sendEmail = async (report: DiagnosisReport): Promise<Notification> => {
      const receiver = config.VIGIL_EMAIL_TO!.join(',');
      let attempts = 0;
      let lastError = '';
      while (attempts < config.VIGIL_EMAIL_ATTEMPTS) {
        attempts += 1;
        const result = await email!.send(renderReportEmail(report));
        if (result.ok) return notificationRecord({ report, channel: 'email', receiver, status: 'SENT', attempts });
        lastError = result.error;
        logger.warn({ reportId: report.id, attempts, retry: result.retry, error: result.error }, 'email delivery failed');
        if (!result.retry) break;
        await sleep(Math.min(30_000, 500 * 2 ** (attempts - 1)));
      }
      return notificationRecord({ report, channel: 'email', receiver, status: 'FAILED', attempts, error: lastError });
    };

    const subscription = await io.subscribe({
      topic: 'diagnosis.reports',
      group: config.VIGIL_NOTIFIER_GROUP,
      handler: async (report) => {
        if (delivered.has(report.id)) return;
        print(renderReportLine(report));
        const records = [notificationRecord({ report, channel: 'stdout', receiver: 'stdout', status: 'SENT', attempts: 1 })];
        if (email) records.push(await sendEmail(report));
        await io.publish('notifications', records.map((value) => ({ key: value.dedupKey, value })));
        delivered.add(report.id);
      },
    });
    logger.info({ group: config.VIGIL_NOTIFIER_GROUP, email: Boolean(email) }, 'notifier started');
    return {
      name: 'notifier',
      async close() {
        await subscription.close();
        email?.close();
      },
    };
  },
};
