import { fingerprint, type Labels } from './matchers.js';

/** What the routing core works on: a label set that fires from `startsAtMs` until `resolvedAtMs`. */
export interface Alert {
  readonly labels: Labels;
  readonly startsAtMs: number;
  /** null while firing. */
  readonly resolvedAtMs: number | null;
  /** The record the alert came from (a report, health update or anomaly id), for rendering. */
  readonly sourceId?: string | undefined;
}

export function isFiring(alert: Alert, nowMs: number): boolean {
  return alert.resolvedAtMs === null || alert.resolvedAtMs > nowMs;
}

export function alertFingerprint(alert: Alert): string {
  return fingerprint(alert.labels);
}
