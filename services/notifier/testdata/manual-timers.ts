import type { TimerHandle, Timers } from '../timers.js';

/** A clock that moves only when told: `advance(ms)` runs the callbacks that fall due, in time order. */
export class ManualTimers implements Timers {
  private current: number;
  private pending: { atMs: number; seq: number; callback: () => void }[] = [];
  private seq = 0;

  constructor(startMs: number) {
    this.current = startMs;
  }

  now = (): number => this.current;

  after(delayMs: number, callback: () => void): TimerHandle {
    const entry = { atMs: this.current + Math.max(0, delayMs), seq: this.seq++, callback };
    this.pending.push(entry);
    return { cancel: () => { this.pending = this.pending.filter((other) => other !== entry); } };
  }

  /** Moves the clock forward by `ms`, running every callback due on the way at its own time. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.pending.filter((entry) => entry.atMs <= target).sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0];
      if (!due) break;
      this.pending = this.pending.filter((entry) => entry !== due);
      this.current = Math.max(this.current, due.atMs);
      due.callback();
    }
    this.current = target;
  }
}
