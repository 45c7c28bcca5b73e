/**
 * The notification log, after Alertmanager's nflog and DedupStage (notify/notify.go needsUpdate):
 * a flush is sent unless the last entry for its group and receiver (or channel) already told the
 * same firing (and, when resolved messages are wanted, resolved) alerts within the repeat interval.
 * The notifier keeps the entries as DONE records in notifier.outbox, so whoever replays a group
 * makes the same decision (outbox-owner.ts).
 */

/** One sent notification: which alerts of a group a receiver (or one of its channels) was told about. */
export interface LogEntry {
  readonly groupKey: string;
  /** Receiver name, or `receiver/channelIndex` when channels are logged apart. */
  readonly receiver: string;
  /** Fingerprints, sorted. */
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  readonly sentAtMs: number;
}

export interface DedupOptions {
  readonly repeatIntervalMs: number;
  readonly sendResolved: boolean;
  readonly nowMs: number;
}

/** Alertmanager's needsUpdate: whether alerts with these fingerprints need a notification after `entry`. */
export function needsUpdate(entry: LogEntry | undefined, firing: readonly string[], resolved: readonly string[], options: DedupOptions): boolean {
  // Never told before: only when something fires.
  if (!entry) return firing.length > 0;
  // Something fires that was not told.
  const toldFiring = new Set(entry.firing);
  if (!firing.every((fingerprint) => toldFiring.has(fingerprint))) return true;
  // Everything resolved: tell it (irrespective of send_resolved, so the log clears) unless nothing firing was ever told.
  if (firing.length === 0) return entry.firing.length > 0;
  const toldResolved = new Set(entry.resolved);
  if (options.sendResolved && !resolved.every((fingerprint) => toldResolved.has(fingerprint))) return true;
  // Nothing changed: repeat after the interval.
  return entry.sentAtMs + options.repeatIntervalMs <= options.nowMs;
}

/** The entry to append after sending. */
export function logEntry(groupKey: string, receiver: string, firing: readonly string[], resolved: readonly string[], sentAtMs: number): LogEntry {
  return { groupKey, receiver, firing: [...firing].sort(), resolved: [...resolved].sort(), sentAtMs };
}
