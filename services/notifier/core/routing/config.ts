/**
 * The notifier's routing config, after Alertmanager's config/config.go: a routing tree, receivers,
 * inhibit rules and time intervals, read from YAML and validated once at start. Every error names
 * the YAML path of the bad key, e.g. `route.routes[1].matchers[0]: expected name=value, …`.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { VigilError } from '../../../../src/errors.js';
import { formatMatcher, matcherSyntax, parseMatcher, type Matcher } from './matchers.js';
import { parseClock, parseWeekdayRange, type TimeInterval } from './time-intervals.js';

export const channelTypes = ['stdout', 'email', 'slack', 'dingtalk', 'feishu', 'wecom', 'teams', 'webhook'] as const;
export type ChannelType = (typeof channelTypes)[number];

/** One channel of a receiver; settings other than `type` and `send_resolved` belong to the channel and are validated by it. */
export interface ChannelConfig {
  readonly type: ChannelType;
  readonly send_resolved: boolean;
  readonly [setting: string]: unknown;
}

export interface Receiver {
  readonly name: string;
  readonly channels: readonly ChannelConfig[];
}

/** A node of the routing tree with the options inherited from its parents already filled in. */
export interface Route {
  /** Stable identity from the tree position and matchers, the same on every instance with the same config. */
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly receiver: string;
  /** Label names to group by; `all` groups by the full label set (`group_by: ['...']`). */
  readonly groupBy: readonly string[] | 'all';
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly continue: boolean;
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
  readonly routes: readonly Route[];
}

export interface InhibitRule {
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  readonly equal: readonly string[];
}

export interface RoutingConfig {
  readonly route: Route;
  readonly receivers: ReadonlyMap<string, Receiver>;
  readonly inhibitRules: readonly InhibitRule[];
  readonly timeIntervals: ReadonlyMap<string, readonly TimeInterval[]>;
}

const durationPattern = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const durationUnitsMs = [604_800_000, 86_400_000, 3_600_000, 60_000, 1_000, 1];

/** Prometheus durations: `30s`, `5m`, `4h`, `1h30m`, `1d`, `250ms`, `0s`. */
export function parseDuration(text: string): number | undefined {
  const match = durationPattern.exec(text);
  if (!match || text === '') return undefined;
  return durationUnitsMs.reduce((total, unitMs, index) => total + Number(match[index + 1] ?? 0) * unitMs, 0);
}

const duration = z.string().superRefine((value, context) => {
  if (parseDuration(value) === undefined) context.addIssue({ code: 'custom', message: 'expected a duration like 30s, 5m, 4h or 1h30m' });
});

const matcherText = z.string().superRefine((value, context) => {
  const parsed = parseMatcher(value);
  if (typeof parsed === 'string') context.addIssue({ code: 'custom', message: parsed === matcherSyntax ? matcherSyntax : `${matcherSyntax}: ${parsed}` });
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name');

interface RouteInput {
  receiver?: string | undefined;
  matchers?: string[] | undefined;
  group_by?: string[] | undefined;
  group_wait?: string | undefined;
  group_interval?: string | undefined;
  repeat_interval?: string | undefined;
  continue?: boolean | undefined;
  mute_time_intervals?: string[] | undefined;
  active_time_intervals?: string[] | undefined;
  routes?: RouteInput[] | undefined;
}

const routeSchema: z.ZodType<RouteInput> = z.lazy(() =>
  z.strictObject({
    receiver: z.string().min(1).optional(),
    matchers: z.array(matcherText).optional(),
    group_by: z.array(z.union([z.literal('...'), labelName])).optional(),
    group_wait: duration.optional(),
    group_interval: duration.optional(),
    repeat_interval: duration.optional(),
    continue: z.boolean().optional(),
    mute_time_intervals: z.array(z.string().min(1)).optional(),
    active_time_intervals: z.array(z.string().min(1)).optional(),
    routes: z.array(routeSchema).optional(),
  }),
);

const channelSchema = z.looseObject({
  type: z.enum(channelTypes),
  send_resolved: z.boolean().default(false),
});

const clock = z.string().superRefine((value, context) => {
  if (parseClock(value) === undefined) context.addIssue({ code: 'custom', message: 'expected HH:MM between 00:00 and 24:00' });
});

const timeZone = z.string().superRefine((value, context) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    context.addIssue({ code: 'custom', message: `unknown time zone ${value}` });
  }
});

const weekdayRange = z.string().superRefine((value, context) => {
  if (parseWeekdayRange(value) === undefined) context.addIssue({ code: 'custom', message: 'expected a weekday or a range like monday:friday' });
});

const timeIntervalSchema = z.strictObject({
  weekdays: z.array(weekdayRange).optional(),
  times: z.array(z.strictObject({ start_time: clock, end_time: clock })).optional(),
  location: timeZone.optional(),
});

const configSchema = z.strictObject({
  route: routeSchema,
  receivers: z.array(z.strictObject({ name: z.string().min(1), channels: z.array(channelSchema).default([]) })).min(1),
  inhibit_rules: z
    .array(z.strictObject({ source_matchers: z.array(matcherText).min(1), target_matchers: z.array(matcherText).min(1), equal: z.array(labelName).default([]) }))
    .default([]),
  time_intervals: z.array(z.strictObject({ name: z.string().min(1), time_intervals: z.array(timeIntervalSchema).min(1) })).default([]),
});

type ConfigInput = z.infer<typeof configSchema>;

/** `route.routes[1].matchers[0]` from zod's path. */
export function yamlPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : text === '' ? String(part) : `.${String(part)}`;
  return text || '(root)';
}

function configError(path: readonly PropertyKey[], message: string): VigilError {
  return new VigilError('VIGIL_CONFIG', `${yamlPath(path)}: ${message}`);
}

/** Parses and validates a routing config from YAML; throws VigilError('VIGIL_CONFIG') naming the path of the first bad key. */
export function parseRoutingConfig(yamlText: string): RoutingConfig {
  let document: unknown;
  try {
    document = parseYaml(yamlText);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new VigilError('VIGIL_CONFIG', `routing config is not valid YAML${where}: ${(error as Error).message}`, { cause: error });
  }
  return routingConfigFrom(document);
}

/** Validates an already parsed document (YAML or JSON). */
export function routingConfigFrom(document: unknown): RoutingConfig {
  const result = configSchema.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') throw configError([...issue.path, issue.keys[0]!], 'unknown key');
    throw configError(issue.path, issue.message);
  }
  return resolve(result.data);
}

function resolve(input: ConfigInput): RoutingConfig {
  const receivers = new Map<string, Receiver>();
  input.receivers.forEach((receiver, index) => {
    if (receivers.has(receiver.name)) throw configError(['receivers', index, 'name'], `duplicate receiver ${receiver.name}`);
    receivers.set(receiver.name, { name: receiver.name, channels: receiver.channels as ChannelConfig[] });
  });

  const timeIntervals = new Map<string, TimeInterval[]>();
  input.time_intervals.forEach((named, index) => {
    if (timeIntervals.has(named.name)) throw configError(['time_intervals', index, 'name'], `duplicate time interval ${named.name}`);
    timeIntervals.set(
      named.name,
      named.time_intervals.map((interval) => ({
        weekdays: interval.weekdays?.map((range) => parseWeekdayRange(range)!),
        times: interval.times?.map((range) => ({ startMinute: parseClock(range.start_time)!, endMinute: parseClock(range.end_time)! })),
        location: interval.location,
      })),
    );
  });

  const root = input.route;
  if (!root.receiver) throw configError(['route', 'receiver'], 'the root route needs a receiver');
  if (root.matchers?.length) throw configError(['route', 'matchers'], 'the root route must not have matchers');
  if (root.continue) throw configError(['route', 'continue'], 'the root route must not have continue');

  const resolveRoute = (route: RouteInput, parent: Route | undefined, path: PropertyKey[], idPrefix: string): Route => {
    const receiver = route.receiver ?? parent!.receiver;
    if (!receivers.has(receiver)) throw configError([...path, 'receiver'], `no receiver named ${receiver}`);
    for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
      route[key]?.forEach((name, index) => {
        if (!timeIntervals.has(name)) throw configError([...path, key, index], `no time interval named ${name}`);
      });
    }
    const groupBy = route.group_by === undefined ? parent?.groupBy ?? [] : route.group_by.includes('...') ? 'all' : [...new Set(route.group_by)];
    if (route.group_by?.includes('...') && route.group_by.length > 1) throw configError([...path, 'group_by'], "'...' must be the only entry");
    const ms = (value: string | undefined, inherited: number | undefined, fallback: number) => (value === undefined ? inherited ?? fallback : parseDuration(value)!);
    const matchers = (route.matchers ?? []).map((text) => parseMatcher(text) as Matcher);
    const id = `${idPrefix}{${matchers.map(formatMatcher).join(',')}}`;
    const routes: Route[] = [];
    const resolved: Route = {
      id,
      matchers,
      receiver,
      groupBy,
      groupWaitMs: ms(route.group_wait, parent?.groupWaitMs, 30_000),
      groupIntervalMs: ms(route.group_interval, parent?.groupIntervalMs, 300_000),
      repeatIntervalMs: ms(route.repeat_interval, parent?.repeatIntervalMs, 14_400_000),
      continue: route.continue ?? false,
      muteTimeIntervals: route.mute_time_intervals ?? parent?.muteTimeIntervals ?? [],
      activeTimeIntervals: route.active_time_intervals ?? parent?.activeTimeIntervals ?? [],
      routes,
    };
    if (resolved.groupIntervalMs <= 0) throw configError([...path, 'group_interval'], 'must be greater than 0s');
    if (resolved.repeatIntervalMs <= 0) throw configError([...path, 'repeat_interval'], 'must be greater than 0s');
    (route.routes ?? []).forEach((child, index) => routes.push(resolveRoute(child, resolved, [...path, 'routes', index], `${id}/${index}:`)));
    return resolved;
  };

  return {
    route: resolveRoute(root, undefined, ['route'], ''),
    receivers,
    inhibitRules: input.inhibit_rules.map((rule) => ({
      sourceMatchers: rule.source_matchers.map((text) => parseMatcher(text) as Matcher),
      targetMatchers: rule.target_matchers.map((text) => parseMatcher(text) as Matcher),
      equal: rule.equal,
    })),
    timeIntervals,
  };
}

/** A node-level critical mutes the warnings of the pods on that node. */
export const nodeCriticalMutesPodWarnings = {
  source_matchers: ['severity="CRITICAL"', 'pod=""'],
  target_matchers: ['severity="WARNING"', 'pod=~".+"'],
  equal: ['cluster', 'node'],
};

/**
 * Today's behaviour as a config: every alert to one receiver `default` (stdout, plus email when
 * SMTP is configured), one group per label set, sent at once, repeated every 4h while firing.
 */
export function defaultRoutingConfig(options: { email: boolean }): RoutingConfig {
  return routingConfigFrom({
    route: { receiver: 'default', group_by: ['...'], group_wait: '0s', group_interval: '5m', repeat_interval: '4h' },
    receivers: [{ name: 'default', channels: [{ type: 'stdout' }, ...(options.email ? [{ type: 'email' }] : [])] }],
    inhibit_rules: [nodeCriticalMutesPodWarnings],
  });
}
