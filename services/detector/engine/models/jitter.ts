/**
 * Jitter magnitude: a sudden change of local variability. Short (≈ 5 points) over long
 * (≈ 200 points) EW mean |Δ|; each |Δ| is clipped at 4× the long mean so one spike or one step
 * cannot pass for jitter (a lone spike moves the ratio to about 2.1, below the onset of 2.2).
 */
import { excessScore, updateScale } from '../calibration.js';
import { Slot, type SeriesState } from '../state-layout.js';

export const jitterModel = 'jitter';
const shortWeight = 0.2;
const longWeight = 1 / 200;
const onset = 2.2;
const half = 1.2;

/** Score of the step from previous to value (after a warm-up of ~100 points), then learns it. */
export function jitterStep(state: SeriesState, o: number, previous: number, value: number, warm: boolean): number {
  const step = Math.abs(value - previous);
  const long = state[o + Slot.jitterLong]!;
  if (!(long > 0)) {
    state[o + Slot.jitterLong] = step;
    state[o + Slot.jitterShort] = step;
    return 0;
  }
  const clipped = step < 4 * long ? step : 4 * long;
  const short = state[o + Slot.jitterShort]! + shortWeight * (clipped - state[o + Slot.jitterShort]!);
  state[o + Slot.jitterShort] = short;
  state[o + Slot.jitterLong] = updateScale(long, step, longWeight, 6, warm);
  return warm ? excessScore(short / long, onset, half) : 0;
}
