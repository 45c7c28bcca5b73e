/**
 * Remembers the last `capacity` report ids that were delivered, so a redelivered report is not
 * announced twice. Mark an id only after delivery succeeded: a failed report must stay retryable.
 */
export interface ReportDedup {
  has(reportId: string): boolean;
  add(reportId: string): void;
  readonly size: number;
}

export function createReportDedup(capacity = 10_000): ReportDedup {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`dedup capacity must be a positive integer, got ${capacity}`);
  const ids = new Set<string>();
  return {
    has: (reportId) => ids.has(reportId),
    add(reportId) {
      ids.delete(reportId);
      ids.add(reportId);
      if (ids.size > capacity) {
        const [oldest] = ids;
        ids.delete(oldest!);
      }
    },
    get size() {
      return ids.size;
    },
  };
}
