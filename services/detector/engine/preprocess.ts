/**
 * What one incoming (timestamp, value) is before any model sees it: a point, a missing value
 * (NaN / ±Infinity), or stale (not after the previous timestamp: a duplicate or out of order).
 * Gaps longer than `gapIntervals` expected intervals count as missing points; nothing is
 * interpolated. The expected interval is given, or learned as a slow robust average of spacings.
 */
import { Slot, Wide, type SeriesState } from './state-layout.js';

export const Admission = { Point: 0, Missing: 1, Stale: 2 } as const;
export type Admission = (typeof Admission)[keyof typeof Admission];

/** A spacing more than this many intervals is a gap; the points it skipped are missing. */
export const gapIntervals = 3;
/** EW weight of one point in the missing / zero shares (≈ the last 200 points). */
export const shareWeight = 1 / 200;

/** Missing points add to the missing share; m at once in closed form. */
export function noteMissing(state: SeriesState, o: number, count: number): void {
  const keep = Math.pow(1 - shareWeight, count);
  state[o + Slot.missingShare] = state[o + Slot.missingShare]! * keep + (1 - keep);
}

/** Admits one (timestamp, value) of the series whose slots start at o and whose wide slots start at w. */
export function admit(state: SeriesState, o: number, wide: Float64Array, w: number, timestampMs: number, value: number): Admission {
  if (!Number.isFinite(value) || !Number.isFinite(timestampMs)) {
    noteMissing(state, o, 1);
    return Admission.Missing;
  }
  const last = wide[w + Wide.lastTimestampMs]!;
  if (last === last) {
    const elapsedMs = timestampMs - last;
    if (!(elapsedMs > 0)) return Admission.Stale;
    let interval = state[o + Slot.intervalMs]!;
    if (interval <= 0) {
      interval = elapsedMs;
      state[o + Slot.intervalMs] = interval;
    } else if (state[o + Slot.intervalFixed] === 0 && elapsedMs <= gapIntervals * interval) {
      // Slow, clipped: a burst of irregular spacings barely moves it.
      state[o + Slot.intervalMs] = interval + 0.02 * (Math.min(elapsedMs, 2 * interval) - interval);
    }
    const skipped = Math.round(elapsedMs / interval) - 1;
    if (elapsedMs > gapIntervals * interval && skipped > 0) {
      noteMissing(state, o, skipped);
      state[o + Slot.pointsSinceGap] = 0;
    }
  }
  wide[w + Wide.lastTimestampMs] = timestampMs;
  state[o + Slot.missingShare] = state[o + Slot.missingShare]! * (1 - shareWeight);
  state[o + Slot.zeroShare] = state[o + Slot.zeroShare]! * (1 - shareWeight) + (value === 0 ? shareWeight : 0);
  if (state[o + Slot.pointsSinceGap]! < 1e6) state[o + Slot.pointsSinceGap] = state[o + Slot.pointsSinceGap]! + 1;
  return Admission.Point;
}
