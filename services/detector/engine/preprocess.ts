/**
 * What one incoming (timestamp, value) is before any model sees it: a point, a missing value
 * (NaN / ±Infinity), or stale (not after the previous timestamp: a duplicate or out of order).
 * Gaps longer than `gapIntervals` expected intervals count as missing points; nothing is
 * interpolated. The expected interval is given, or learned as a slow robust average of spacings.
 */
import { Slot, type SeriesState } from './state-layout.js';

export const Admission = { Point: 0, Missing: 1, Stale: 2 } as const;
export type Admission = (typeof Admission)[keyof typeof Admission];

/** A spacing more than this many intervals is a gap; the points it skipped are missing. */
export const gapIntervals = 3;
/** EW weight of one point in the missing / zero shares (≈ the last 200 points). */
export const shareWeight = 1 / 200;

export interface Timeline {
  /** Timestamp of the last admitted point, or NaN before the first. */
  lastTimestampMs: number;
  /** Whether intervalMs was given (never relearned). */
  intervalFixed: boolean;
}

/** Missing points add to the missing share; m at once in closed form. */
export function noteMissing(state: SeriesState, count: number): void {
  const keep = Math.pow(1 - shareWeight, count);
  state[Slot.missingShare] = state[Slot.missingShare]! * keep + (1 - keep);
}

export function admit(state: SeriesState, timeline: Timeline, timestampMs: number, value: number): Admission {
  if (!Number.isFinite(value) || !Number.isFinite(timestampMs)) {
    noteMissing(state, 1);
    return Admission.Missing;
  }
  const last = timeline.lastTimestampMs;
  if (last === last) {
    const elapsedMs = timestampMs - last;
    if (!(elapsedMs > 0)) return Admission.Stale;
    let interval = state[Slot.intervalMs]!;
    if (interval <= 0) {
      interval = elapsedMs;
      state[Slot.intervalMs] = interval;
    } else if (!timeline.intervalFixed && elapsedMs <= gapIntervals * interval) {
      // Slow, clipped: a burst of irregular spacings barely moves it.
      state[Slot.intervalMs] = interval + 0.02 * (Math.min(elapsedMs, 2 * interval) - interval);
    }
    const skipped = Math.round(elapsedMs / interval) - 1;
    if (elapsedMs > gapIntervals * interval && skipped > 0) {
      noteMissing(state, skipped);
      state[Slot.pointsSinceGap] = 0;
    }
  }
  timeline.lastTimestampMs = timestampMs;
  state[Slot.missingShare] = state[Slot.missingShare]! * (1 - shareWeight);
  state[Slot.zeroShare] = state[Slot.zeroShare]! * (1 - shareWeight) + (value === 0 ? shareWeight : 0);
  if (state[Slot.pointsSinceGap]! < 1e6) state[Slot.pointsSinceGap] = state[Slot.pointsSinceGap]! + 1;
  return Admission.Point;
}
