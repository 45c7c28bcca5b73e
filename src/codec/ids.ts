import { createHash } from 'node:crypto';

/**
 * A deterministic record id derived from its inputs: the same inputs after a redelivery give the
 * same id, so consumers can drop duplicates.
 */
export function deterministicId(...parts: (string | number | null | undefined)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(String(part ?? '')).update('\u0000');
  return hash.digest('hex').slice(0, 32);
}
