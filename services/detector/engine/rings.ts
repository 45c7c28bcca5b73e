/**
 * The two rings inside a series' state: the fine ring of the latest raw points and the coarse ring
 * of bucket means (the classification window and the seasonal reference). Oldest-first indexing,
 * no allocation.
 */
import { coarseCapacity, coarseOffset, fineCapacity, fineOffset, Slot, type SeriesState } from './state-layout.js';

export function pushFine(state: SeriesState, o: number, value: number): void {
  const head = state[o + Slot.fineHead]!;
  state[o + fineOffset + head] = value;
  state[o + Slot.fineHead] = head + 1 === fineCapacity ? 0 : head + 1;
  if (state[o + Slot.fineLength]! < fineCapacity) state[o + Slot.fineLength] = state[o + Slot.fineLength]! + 1;
}

/** The fine point `back` steps before the newest (0 = newest). Caller keeps back < fineLength. */
export function fineBack(state: SeriesState, o: number, back: number): number {
  let index = state[o + Slot.fineHead]! - 1 - back;
  if (index < 0) index += fineCapacity;
  return state[o + fineOffset + index]!;
}

export function fineLength(state: SeriesState, o: number): number {
  return state[o + Slot.fineLength]!;
}

export function pushCoarse(state: SeriesState, o: number, bucketMean: number): void {
  const head = state[o + Slot.coarseHead]!;
  state[o + coarseOffset + head] = bucketMean;
  state[o + Slot.coarseHead] = head + 1 === coarseCapacity ? 0 : head + 1;
  if (state[o + Slot.coarseLength]! < coarseCapacity) state[o + Slot.coarseLength] = state[o + Slot.coarseLength]! + 1;
}

/** The closed bucket `back` steps before the newest closed one (0 = newest). */
export function coarseBack(state: SeriesState, o: number, back: number): number {
  let index = state[o + Slot.coarseHead]! - 1 - back;
  while (index < 0) index += coarseCapacity;
  return state[o + coarseOffset + index]!;
}

export function coarseLength(state: SeriesState, o: number): number {
  return state[o + Slot.coarseLength]!;
}

/** Copies the coarse ring oldest-first into out; returns the count. */
export function coarseInto(state: SeriesState, o: number, out: Float64Array): number {
  const n = state[o + Slot.coarseLength]!;
  for (let i = 0; i < n; i++) out[i] = coarseBack(state, o, n - 1 - i);
  return n;
}

/** Copies the last n fine points oldest-first into out. */
export function fineInto(state: SeriesState, o: number, out: Float64Array, n: number): number {
  const count = Math.min(n, state[o + Slot.fineLength]!);
  for (let i = 0; i < count; i++) out[i] = fineBack(state, o, count - 1 - i);
  return count;
}
