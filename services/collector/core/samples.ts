import type { Sample } from '../../../src/codec/records.generated.js';
import { VigilError } from '../../../src/errors.js';

/** A sample with labels; the labels object is fresh so callers can mutate it safely. */
export function sample(name: string, value: number, labels: Record<string, string> = {}): Sample {
  return { name, labels: { ...labels }, value };
}

/** Parses a decimal field of a proc file; a field that is not a number is a malformed source. */
export function numberField(text: string | undefined, what: string): number {
  const value = text === undefined || text === '' ? Number.NaN : Number(text);
  if (Number.isNaN(value)) {
    throw new VigilError('VIGIL_SOURCE', `${what}: expected a number, got ${JSON.stringify(text)}`);
  }
  return value;
}
