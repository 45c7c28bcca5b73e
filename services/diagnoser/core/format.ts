import type { Fact, Suggestion } from '../../../src/codec/records.generated.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Bytes in binary units with one decimal, e.g. `1.2 GiB`, `40.0 MiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const magnitude = Math.abs(bytes);
  if (magnitude >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  if (magnitude >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (magnitude >= KiB) return `${(bytes / KiB).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

/** A rate in bytes per second, e.g. `40.0 MiB/s`. */
export function formatBytesPerSecond(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

export function fact(name: string, value: number, unit: string, detail: string | null = null): Fact {
  return { name, value, unit, detail };
}

export function suggestion(action: string, command: string | null = null, setting: string | null = null): Suggestion {
  return { action, command, setting };
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
