/**
 * Time intervals after Alertmanager's timeinterval package: weekdays and times of day in a time zone.
 * A route is muted inside any of its mute_time_intervals and outside all of its active_time_intervals.
 */

/** Inclusive weekday range, 0 = Sunday … 6 = Saturday. */
export type WeekdayRange = readonly [start: number, end: number];

/** Minutes since local midnight; start inclusive, end exclusive (Alertmanager's semantics). */
export interface TimeRange {
  readonly startMinute: number;
  readonly endMinute: number;
}

/** Matches when every part given matches; a missing part matches any time. */
export interface TimeInterval {
  readonly weekdays?: readonly WeekdayRange[] | undefined;
  readonly times?: readonly TimeRange[] | undefined;
  /** IANA time zone, e.g. Europe/Berlin; UTC when absent. */
  readonly location?: string | undefined;
}

const weekdayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** `HH:MM` to minutes since midnight, 00:00 … 24:00. */
export function parseClock(text: string): number | undefined {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return Number(match[2]) < 60 && minutes <= 1440 ? minutes : undefined;
}

/** `monday`, `monday:friday` (ranges do not wrap past Saturday, as in Alertmanager). */
export function parseWeekdayRange(text: string): WeekdayRange | undefined {
  const [from = '', to = from, extra] = text.toLowerCase().split(':');
  if (extra !== undefined) return undefined;
  const start = weekdayNames.indexOf(from.trim());
  const end = weekdayNames.indexOf(to.trim());
  return start < 0 || end < 0 || end < start ? undefined : [start, end];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Weekday and minute of day of an instant in a time zone. */
export function localClock(timeMs: number, location = 'UTC'): { weekday: number; minute: number } {
  let formatter = formatters.get(location);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: location, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(location, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(timeMs).map((part) => [part.type, part.value]));
  return { weekday: weekdayNames.indexOf(String(parts.weekday).toLowerCase()), minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

export function intervalContains(interval: TimeInterval, timeMs: number): boolean {
  const { weekday, minute } = localClock(timeMs, interval.location);
  if (interval.weekdays?.length && !interval.weekdays.some(([start, end]) => weekday >= start && weekday <= end)) return false;
  if (interval.times?.length && !interval.times.some((range) => minute >= range.startMinute && minute < range.endMinute)) return false;
  return true;
}

/** True when any of the intervals contains the instant. */
export function anyContains(intervals: readonly TimeInterval[], timeMs: number): boolean {
  return intervals.some((interval) => intervalContains(interval, timeMs));
}

/**
 * Whether notifications of a route are muted at `timeMs`: inside a mute interval, or outside every
 * active interval when it has some. Names are resolved in `named` (checked when the config loads).
 */
export function isMuted(
  route: { readonly muteTimeIntervals: readonly string[]; readonly activeTimeIntervals: readonly string[] },
  named: ReadonlyMap<string, readonly TimeInterval[]>,
  timeMs: number,
): boolean {
  const contains = (name: string) => anyContains(named.get(name) ?? [], timeMs);
  if (route.muteTimeIntervals.some(contains)) return true;
  return route.activeTimeIntervals.length > 0 && !route.activeTimeIntervals.some(contains);
}
