import { alertFingerprint, type Alert } from './alert.js';
import type { RoutingConfig } from './config.js';
import { inhibitedBy } from './inhibit.js';
import { silencedBy, type SilenceState } from './silence.js';

/**
 * Why an alert must not be notified at `nowMs` (silenced, then inhibited by one of `activeAlerts`),
 * or undefined; the reason goes into the SUPPRESSED notification record.
 */
export function muteReason(config: RoutingConfig, silences: SilenceState, activeAlerts: readonly Alert[], alert: Alert, nowMs: number): string | undefined {
  const silenceIds = silencedBy(silences, alert.labels, nowMs);
  if (silenceIds.length > 0) return `silenced by ${silenceIds.join(', ')}`;
  const inhibition = inhibitedBy(config.inhibitRules, activeAlerts, alert.labels, nowMs);
  if (inhibition) return `inhibited by rule ${inhibition.ruleIndex} (source ${inhibition.sourceFingerprint})`;
  return undefined;
}

export { alertFingerprint };
