/**
 * Level shift: a two-sided CUSUM on the one-step residual of Holt's linear smoothing (level +
 * slope), in units of that residual's own noise. Holt follows smooth ramps (a daily rise is not a
 * shift); a new level leaves a run of same-signed residuals that the CUSUM adds up. Allowance
 * k = 1σ per point, each step capped at 6σ (one spike alone cannot alarm); after an alarm the
 * sums and the level restart from the new value, so one shift is one alarm, not a plateau of them.
 */
import { excessScore, meanAbsToSigma, updateScale } from '../calibration.js';
import { Slot, type SeriesState } from '../state-layout.js';

export const levelShiftModel = 'level-shift';
const levelWeight = 0.05;
const slopeWeight = 0.01;
const scaleWeight = 1 / 100;
const allowance = 1;
/** Cumulative σ from which it scores; at onset + half the score is 0.5 and the CUSUM restarts. */
const onset = 8;
const half = 8;
const maxStepSigma = 6;

export function startLevelShift(state: SeriesState, o: number, value: number): void {
  state[o + Slot.shiftLevel] = value;
  state[o + Slot.shiftSlope] = 0;
}

/** Signed score for value (positive: the level went up), then learns it. */
export function levelShiftStep(state: SeriesState, o: number, value: number, warm: boolean): number {
  const level = state[o + Slot.shiftLevel]!;
  const slope = state[o + Slot.shiftSlope]!;
  const scale = state[o + Slot.shiftScale]!;
  const predicted = level + slope;
  const residual = value - predicted;
  const floor = 1e-4 * Math.abs(level) + 1e-9;
  const sigma = meanAbsToSigma * (scale > floor ? scale : floor);
  let u = residual / sigma;
  if (u > maxStepSigma) u = maxStepSigma;
  else if (u < -maxStepSigma) u = -maxStepSigma;
  let up = state[o + Slot.shiftUp]! + u - allowance;
  let down = state[o + Slot.shiftDown]! - u - allowance;
  if (up < 0) up = 0;
  if (down < 0) down = 0;
  let score = 0;
  if (warm) {
    score = up >= down ? excessScore(up, onset, half) : -excessScore(down, onset, half);
    if (up >= onset + half || down >= onset + half) {
      // Alarm: the new level is here; restart from it.
      state[o + Slot.shiftUp] = 0;
      state[o + Slot.shiftDown] = 0;
      state[o + Slot.shiftLevel] = value;
      state[o + Slot.shiftSlope] = 0;
      return score;
    }
  }
  state[o + Slot.shiftUp] = up;
  state[o + Slot.shiftDown] = down;
  state[o + Slot.shiftLevel] = predicted + levelWeight * residual;
  state[o + Slot.shiftSlope] = slope + slopeWeight * levelWeight * residual;
  state[o + Slot.shiftScale] = updateScale(scale, Math.abs(residual), scaleWeight, 4, warm);
  return score;
}
