import { describe, expect, it } from 'vitest';
import type { Alert } from './alert.js';
import { defaultRoutingConfig } from './config.js';
import { muteReason } from './mute.js';
import { createSilence, emptySilences, type SilenceState } from './silence.js';

const t0 = Date.parse('2026-11-25T12:00:00Z');
const config = defaultRoutingConfig({ email: false });
const nodeCritical: Alert = { labels: { cluster: 'c', node: 'n', severity: 'CRITICAL' }, startsAtMs: t0, resolvedAtMs: null };
const shopWarning: Alert = { labels: { cluster: 'c', node: 'n', namespace: 'shop', pod: 'api', severity: 'WARNING' }, startsAtMs: t0, resolvedAtMs: null };
const silences = (createSilence(emptySilences, { matchers: ['namespace=shop'], endsAtMs: t0 + 60_000, createdBy: 'bob', comment: 'maintenance' }, t0) as { state: SilenceState }).state;

describe('muteReason', () => {
  it.each([
    ['silenced first', silences, [nodeCritical], shopWarning, /^silenced by [0-9a-f]{32}$/],
    ['inhibited', emptySilences, [nodeCritical], shopWarning, /^inhibited by rule 0 \(source [0-9a-f]{32}\)$/],
    ['neither', emptySilences, [], shopWarning, undefined],
    ['the source itself', emptySilences, [nodeCritical], nodeCritical, undefined],
  ])('%s', (_name, state, active, alert, reason) => {
    const result = muteReason(config, state, active, alert, t0 + 1);
    if (reason) expect(result).toMatch(reason);
    else expect(result).toBeUndefined();
  });
});
