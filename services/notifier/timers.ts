/**
 * The notifier's clock and timers, injected so tests drive group timers, retry backoff and rate
 * limits by a manual clock (a 10-minute receiver outage is simulated, not waited for).
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  now(): number;
  /** Calls `callback` once after `delayMs` (clamped to what setTimeout holds). */
  after(delayMs: number, callback: () => void): TimerHandle;
}

/** setTimeout holds at most ~24.8 days; a later callback is looked at again then. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export function systemTimers(now: () => number): Timers {
  return {
    now,
    after(delayMs, callback) {
      const timer = setTimeout(callback, Math.min(MAX_DELAY_MS, Math.max(0, delayMs)));
      timer.unref?.();
      return { cancel: () => clearTimeout(timer) };
    },
  };
}
