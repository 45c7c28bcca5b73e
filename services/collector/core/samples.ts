import type { Sample } from '../../../src/codec/records.generated.js';

/** A sample with labels; the labels object is fresh so callers can mutate it safely. */
export function sample(name: string, value: number, labels: Record<string, string> = {}): Sample {
  return { name, labels: { ...labels }, value };
}
