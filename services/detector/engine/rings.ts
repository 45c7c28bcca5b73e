/**
 * The two rings inside a series' state: the fine ring of the latest raw points and the coarse ring
 * of bucket means (the classification window and the seasonal reference). Oldest-first indexing,
 * no allocation.
 */
import { coarseCapacity, coarseOffset, fineCapacity, fineOffset, Slot, type SeriesState } from './state-layout.js';

export function pushFine(state: SeriesState, value: number): void {
  const head = state[Slot.fineHead]!;
  state[fineOffset + head] = value;
  state[Slot.fineHead] = head + 1 === fineCapacity ? 0 : head + 1;
  if (state[Slot.fineLength]! < fineCapacity) state[Slot.fineLength] = state[Slot.fineLength]! + 1;
}

/** The fine point `back` steps before the newest (0 = newest). Caller keeps back < fineLength. */
export function fineBack(state: SeriesState, back: number): number {
  let index = state[Slot.fineHead]! - 1 - back;
  if (index < 0) index += fineCapacity;
  return state[fineOffset + index]!;
}

export function fineLength(state: SeriesState): number {
  return state[Slot.fineLength]!;
}

export function pushCoarse(state: SeriesState, bucketMean: number): void {
  const head = state[Slot.coarseHead]!;
  state[coarseOffset + head] = bucketMean;
  state[Slot.coarseHead] = head + 1 === coarseCapacity ? 0 : head + 1;
  if (state[Slot.coarseLength]! < coarseCapacity) state[Slot.coarseLength] = state[Slot.coarseLength]! + 1;
}

/** The closed bucket `back` steps before the newest closed one (0 = newest). */
export function coarseBack(state: SeriesState, back: number): number {
  let index = state[Slot.coarseHead]! - 1 - back;
  while (index < 0) index += coarseCapacity;
  return state[coarseOffset + index]!;
}

export function coarseLength(state: SeriesState): number {
  return state[Slot.coarseLength]!;
}

/** Copies the coarse ring oldest-first into out; returns the count. */
export function coarseInto(state: SeriesState, out: Float64Array): number {
  const n = state[Slot.coarseLength]!;
  for (let i = 0; i < n; i++) out[i] = coarseBack(state, n - 1 - i);
  return n;
}

/** Copies the last n fine points oldest-first into out. */
export function fineInto(state: SeriesState, out: Float64Array, n: number): number {
  const count = Math.min(n, state[Slot.fineLength]!);
  for (let i = 0; i < count; i++) out[i] = fineBack(state, count - 1 - i);
  return count;
}
