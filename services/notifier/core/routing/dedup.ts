/**
 * The notification log, after Alertmanager's nflog and DedupStage (notify/notify.go needsUpdate):
 * a flush is sent unless the last entry for its group and receiver already told the same firing
 * (and, when resolved messages are wanted, resolved) alerts within the repeat interval. Two
 * instances reading the same log make the same decision.
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

/** The newest entry for a group and receiver. */
export function lastEntry(log: readonly LogEntry[], groupKey: string, receiver: string): LogEntry | undefined {
  let newest: LogEntry | undefined;
  for (const entry of log) {
    if (entry.groupKey === groupKey && entry.receiver === receiver && (!newest || entry.sentAtMs >= newest.sentAtMs)) newest = entry;
  }
  return newest;
}

/** Whether a flush was already sent: the log holds an entry that makes it unneeded. */
export function alreadySent(
  log: readonly LogEntry[],
  flush: { readonly groupKey: string; readonly receiver: string; readonly firing: readonly string[]; readonly resolved: readonly string[] },
  options: DedupOptions,
): boolean {
  return !needsUpdate(lastEntry(log, flush.groupKey, flush.receiver), flush.firing, flush.resolved, options);
}

/** The entry to append after sending. */
export function logEntry(groupKey: string, receiver: string, firing: readonly string[], resolved: readonly string[], sentAtMs: number): LogEntry {
  return { groupKey, receiver, firing: [...firing].sort(), resolved: [...resolved].sort(), sentAtMs };
}

/** Keeps the newest entry per group and receiver, dropping those older than `retentionMs` (Alertmanager: 120h). */
export function compactLog(log: readonly LogEntry[], nowMs: number, retentionMs: number): LogEntry[] {
  const newest = new Map<string, LogEntry>();
  for (const entry of log) {
    if (entry.sentAtMs + retentionMs <= nowMs) continue;
    const key = `${entry.groupKey}\u0000${entry.receiver}`;
    const kept = newest.get(key);
    if (!kept || entry.sentAtMs >= kept.sentAtMs) newest.set(key, entry);
  }
  return [...newest.values()];
}
