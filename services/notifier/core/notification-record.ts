import type { DiagnosisReport, Notification, NotificationStatus } from '../../../src/codec/records.generated.js';
import { deterministicId } from '../../../src/codec/ids.js';
import { reportSubject } from './render.js';

export interface NotificationInput {
  report: DiagnosisReport;
  /** stdout, email, slack, ... */
  channel: string;
  /** An address, a webhook name, or stdout. */
  receiver: string;
  status: NotificationStatus;
  attempts: number;
  /** Last error when FAILED, reason when SUPPRESSED. */
  error?: string;
}

/** What was done with a report on one channel for one receiver; the same inputs give the same id, so redeliveries collapse. */
export function notificationRecord({ report, channel, receiver, status, attempts, error }: NotificationInput): Notification {
  const dedupKey = `report:${report.id}`;
  return {
    id: deterministicId(dedupKey, channel, receiver),
    dedupKey,
    channel,
    receiver,
    status,
    subject: reportSubject(report),
    sourceIds: [report.id],
    attempts,
    error: error ?? null,
    timestampMs: report.createdAtMs,
  };
}
