/**
 * An alert is inhibited when a firing source alert of some rule matches the rule's source matchers
 * and has the same values for the rule's `equal` labels, as Alertmanager's inhibit/inhibit.go.
 * An alert never inhibits itself.
 */
import { alertFingerprint, isFiring, type Alert } from './alert.js';
import type { InhibitRule } from './config.js';
import { allMatch, fingerprint, type Labels } from './matchers.js';

export interface Inhibition {
  readonly ruleIndex: number;
  /** Fingerprint of the source alert that mutes the target. */
  readonly sourceFingerprint: string;
}

/** The first rule and source alert that mute `target` at `nowMs`, or undefined. */
export function inhibitedBy(rules: readonly InhibitRule[], alerts: readonly Alert[], target: Labels, nowMs: number): Inhibition | undefined {
  const targetFingerprint = fingerprint(target);
  for (const [ruleIndex, rule] of rules.entries()) {
    if (!allMatch(rule.targetMatchers, target)) continue;
    for (const source of alerts) {
      if (!isFiring(source, nowMs) || !allMatch(rule.sourceMatchers, source.labels)) continue;
      const sourceFingerprint = alertFingerprint(source);
      if (sourceFingerprint === targetFingerprint) continue;
      if (rule.equal.every((name) => (source.labels[name] ?? '') === (target[name] ?? ''))) return { ruleIndex, sourceFingerprint };
    }
  }
  return undefined;
}
