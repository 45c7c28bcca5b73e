import { describe, expect, it } from 'vitest';
import { logEntry, needsUpdate, type LogEntry } from './dedup.js';

const t0 = Date.parse('2026-11-25T12:00:00Z');
const hour = 3_600_000;

describe('needsUpdate', () => {
  // After the table of Alertmanager notify/notify_test.go TestDedupStageNeedsUpdate.
  const entry = (firing: string[], resolved: string[] = [], sentAtMs = t0): LogEntry => logEntry('g', 'r', firing, resolved, sentAtMs);
  it.each([
    ['no entry, firing', undefined, ['a'], [], false, t0, true],
    ['no entry, only resolved', undefined, [], ['a'], true, t0, false],
    ['new firing alert', entry(['a']), ['a', 'b'], [], false, t0, true],
    ['fewer firing, nothing new, within repeat', entry(['a', 'b']), ['a'], ['b'], false, t0 + hour, false],
    ['fewer firing, resolved wanted', entry(['a', 'b']), ['a'], ['b'], true, t0 + hour, true],
    ['resolved already told', entry(['a'], ['b']), ['a'], ['b'], true, t0 + hour, false],
    ['all resolved, told firing: tell even without send_resolved', entry(['a']), [], ['a'], false, t0 + hour, true],
    ['all resolved, nothing firing told', entry([], ['a']), [], ['a', 'b'], true, t0 + hour, false],
    ['unchanged, before repeat', entry(['a']), ['a'], [], false, t0 + 4 * hour - 1, false],
    ['unchanged, at repeat', entry(['a']), ['a'], [], false, t0 + 4 * hour, true],
  ] as const)('%s', (_name, last, firing, resolved, sendResolved, nowMs, expected) => {
    expect(needsUpdate(last, firing, resolved, { repeatIntervalMs: 4 * hour, sendResolved, nowMs })).toBe(expected);
  });
});
