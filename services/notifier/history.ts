/**
 * The alert history GET /api/notifications and `vigil notifications` show: the newest records of
 * the notifications topic (every sent, suppressed and failed attempt of every instance), read in a
 * consumer group of this instance's own and kept in memory up to a bound.
 */
import { randomUUID } from 'node:crypto';
import type { Subscription } from '../../src/bus/bus.js';
import type { Notification } from '../../src/codec/records.generated.js';
import type { RecordIo } from '../../src/runtime/record-io.js';

export interface HistoryEntry {
  readonly record: Notification;
  /** When the record was written (broker time). */
  readonly recordedAtMs: number;
}

export interface NotificationHistory {
  /** Newest first, recorded at or after `sinceMs`, at most `limit`. */
  list(sinceMs: number, limit: number): HistoryEntry[];
  close(): Promise<void>;
}

export async function openNotificationHistory(io: RecordIo, options: { group: string; capacity: number }): Promise<NotificationHistory> {
  const entries: HistoryEntry[] = [];
  const subscription: Subscription = await io.subscribe({
    topic: 'notifications',
    group: `${options.group}.history.${randomUUID()}`,
    handler: async (record, meta) => {
      entries.push({ record, recordedAtMs: meta.timestampMs });
      if (entries.length > options.capacity * 1.25) entries.splice(0, entries.length - options.capacity);
    },
  });
  return {
    list(sinceMs, limit) {
      const out: HistoryEntry[] = [];
      const newest = entries.length > options.capacity ? entries.slice(-options.capacity) : entries;
      for (let index = newest.length - 1; index >= 0 && out.length < limit; index--) {
        const entry = newest[index]!;
        if (entry.recordedAtMs >= sinceMs) out.push(entry);
      }
      return out.sort((a, b) => b.recordedAtMs - a.recordedAtMs);
    },
    close: () => subscription.close(),
  };
}
