import { describe, expect, it } from 'vitest';
import { intervalContains, isMuted, localClock, parseClock, parseWeekdayRange, type TimeInterval } from './time-intervals.js';

// 2026-11-25 is a Wednesday.
const at = (iso: string) => Date.parse(iso);

const businessHoursBerlin: TimeInterval = { weekdays: [[1, 5]], times: [{ startMinute: 9 * 60, endMinute: 17 * 60 }], location: 'Europe/Berlin' };
const night: TimeInterval = { times: [{ startMinute: 22 * 60, endMinute: 1440 }, { startMinute: 0, endMinute: 7 * 60 }] };
const weekend: TimeInterval = { weekdays: [[0, 0], [6, 6]] };

describe('parsing', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['24:00', 1440],
    ['24:01', undefined],
    ['9:30', undefined],
    ['12:60', undefined],
  ])('clock %s', (text, minutes) => expect(parseClock(text)).toBe(minutes));

  it.each([
    ['monday:friday', [1, 5]],
    ['Saturday', [6, 6]],
    ['friday:monday', undefined],
    ['funday', undefined],
  ])('weekdays %s', (text, range) => expect(parseWeekdayRange(text)).toEqual(range));
});

describe('intervalContains', () => {
  // Cases in the spirit of Alertmanager timeinterval/timeinterval_test.go: boundaries are start-inclusive, end-exclusive.
  it.each([
    ['business hours, Wednesday 10:00 Berlin (09:00 UTC)', businessHoursBerlin, '2026-11-25T09:00:00Z', true],
    ['business hours, Wednesday 08:00 UTC = 09:00 Berlin, start inclusive', businessHoursBerlin, '2026-11-25T08:00:00Z', true],
    ['business hours, Wednesday 16:00 UTC = 17:00 Berlin, end exclusive', businessHoursBerlin, '2026-11-25T16:00:00Z', false],
    ['business hours, Saturday noon', businessHoursBerlin, '2026-11-28T11:00:00Z', false],
    ['night, 23:30 UTC', night, '2026-11-25T23:30:00Z', true],
    ['night, 03:00 UTC', night, '2026-11-26T03:00:00Z', true],
    ['night, 07:00 UTC', night, '2026-11-26T07:00:00Z', false],
    ['weekend, Sunday', weekend, '2026-11-29T12:00:00Z', true],
    ['weekend, Monday', weekend, '2026-11-30T12:00:00Z', false],
  ])('%s', (_name, interval, iso, expected) => {
    expect(intervalContains(interval, at(iso))).toBe(expected);
  });

  it('follows daylight saving time through Intl', () => {
    expect(localClock(at('2026-07-01T08:00:00Z'), 'Europe/Berlin')).toEqual({ weekday: 3, minute: 600 });
    expect(localClock(at('2026-12-02T08:00:00Z'), 'Europe/Berlin')).toEqual({ weekday: 3, minute: 540 });
  });
});

describe('isMuted', () => {
  const named = new Map([
    ['night', [night]],
    ['business-hours', [businessHoursBerlin]],
  ]);
  it.each([
    ['mute at night, at night', { muteTimeIntervals: ['night'], activeTimeIntervals: [] }, '2026-11-25T23:00:00Z', true],
    ['mute at night, by day', { muteTimeIntervals: ['night'], activeTimeIntervals: [] }, '2026-11-25T12:00:00Z', false],
    ['active in business hours, in them', { muteTimeIntervals: [], activeTimeIntervals: ['business-hours'] }, '2026-11-25T12:00:00Z', false],
    ['active in business hours, outside them', { muteTimeIntervals: [], activeTimeIntervals: ['business-hours'] }, '2026-11-25T20:00:00Z', true],
    ['no intervals', { muteTimeIntervals: [], activeTimeIntervals: [] }, '2026-11-25T23:00:00Z', false],
  ])('%s', (_name, route, iso, expected) => {
    expect(isMuted(route, named, at(iso))).toBe(expected);
  });
});
