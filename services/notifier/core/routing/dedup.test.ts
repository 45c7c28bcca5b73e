import { describe, expect, it } from 'vitest';
import { alreadySent, compactLog, lastEntry, logEntry, needsUpdate, type LogEntry } from './dedup.js';

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

describe('alreadySent', () => {
  const log = [logEntry('g1', 'ops', ['b', 'a'], [], t0), logEntry('g1', 'ops', ['a'], [], t0 - hour), logEntry('g1', 'oncall', ['a'], [], t0 - 5 * hour)];
  const options = { repeatIntervalMs: 4 * hour, sendResolved: false, nowMs: t0 + hour };
  it.each([
    ['the same alerts to the same receiver, just sent (second instance)', { groupKey: 'g1', receiver: 'ops', firing: ['a', 'b'], resolved: [] }, true],
    ['the same alerts to another receiver, sent long ago', { groupKey: 'g1', receiver: 'oncall', firing: ['a'], resolved: [] }, false],
    ['another group', { groupKey: 'g2', receiver: 'ops', firing: ['a'], resolved: [] }, false],
    ['a new alert in the group', { groupKey: 'g1', receiver: 'ops', firing: ['a', 'c'], resolved: [] }, false],
  ])('%s', (_name, flush, expected) => {
    expect(alreadySent(log, flush, options)).toBe(expected);
  });

  it('reads the newest entry and compacts to it', () => {
    expect(lastEntry(log, 'g1', 'ops')!.firing).toEqual(['a', 'b']);
    expect(compactLog(log, t0 + hour, 120 * hour)).toEqual([log[0], log[2]]);
    expect(compactLog(log, t0 + 120 * hour, 120 * hour)).toEqual([]);
  });
});
