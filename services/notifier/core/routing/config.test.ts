import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../../src/errors.js';
import { defaultRoutingConfig, parseDuration, parseRoutingConfig } from './config.js';

const example = readFileSync(new URL('./testdata/routing.yaml', import.meta.url), 'utf8');

function errorOf(yamlText: string): VigilError {
  try {
    parseRoutingConfig(yamlText);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VIGIL_CONFIG error');
}

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['250ms', 250],
    ['0s', 0],
    ['', undefined],
    ['5', undefined],
    ['5min', undefined],
    ['-5m', undefined],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));
});

describe('parseRoutingConfig', () => {
  const config = parseRoutingConfig(example);

  it('reads the example: receivers, channels with send_resolved, inhibit rules, time intervals', () => {
    expect([...config.receivers.keys()]).toEqual(['default', 'shop-team', 'oncall', 'ops-chat']);
    expect(config.receivers.get('default')!.channels).toEqual([
      { type: 'stdout', send_resolved: false },
      { type: 'email', to: ['ops@example.com'], send_resolved: true },
    ]);
    expect(config.inhibitRules[0]!.equal).toEqual(['cluster', 'node']);
    expect(config.timeIntervals.get('business-hours')).toEqual([
      { weekdays: [[1, 5]], times: [{ startMinute: 540, endMinute: 1020 }], location: 'Europe/Berlin' },
    ]);
  });

  it('children inherit receiver, group_by and timers from their parent (Alertmanager dispatch/route.go NewRoute)', () => {
    const [shop, critical, warning] = config.route.routes;
    expect(shop).toMatchObject({ receiver: 'shop-team', continue: true, groupBy: ['cluster', 'node'], groupWaitMs: 30_000, repeatIntervalMs: 14_400_000 });
    const oom = critical!.routes[0]!;
    expect(oom).toMatchObject({ receiver: 'oncall', groupBy: ['cluster', 'node', 'pod'], groupWaitMs: 10_000, groupIntervalMs: 300_000, continue: false });
    expect(warning).toMatchObject({ repeatIntervalMs: 43_200_000, muteTimeIntervals: ['night'], activeTimeIntervals: ['business-hours'] });
  });

  it('gives each route a stable id from its position and matchers', () => {
    expect(config.route.id).toBe('{}');
    expect(config.route.routes[1]!.routes[0]!.id).toBe('{}/1:{severity="CRITICAL",cluster=~"prod-.*"}/0:{scenario="OOM"}');
    expect(parseRoutingConfig(example).route.routes[0]!.id).toBe(config.route.routes[0]!.id);
  });

  it.each([
    ['a bad matcher', 'route:\n  receiver: d\n  routes:\n    - matchers: [a=1]\n    - matchers: ["severity"]\nreceivers: [{name: d}]',
      'route.routes[1].matchers[0]: expected name=value, name!=value, name=~regex or name!~regex'],
    ['a bad regex', 'route:\n  receiver: d\n  routes:\n    - matchers: ["pod=~(("]\nreceivers: [{name: d}]', 'route.routes[0].matchers[0]: expected name=value'],
    ['an unknown key', 'route:\n  receiver: d\n  routes:\n    - recevier: d\nreceivers: [{name: d}]', 'route.routes[0].recevier: unknown key'],
    ['a bad duration', 'route:\n  receiver: d\n  group_wait: 30 seconds\nreceivers: [{name: d}]', 'route.group_wait: expected a duration'],
    ['an unknown channel type', 'route: {receiver: d}\nreceivers:\n  - name: d\n    channels: [{type: pager}]', 'receivers[0].channels[0].type: Invalid option'],
    ['an unknown receiver', 'route:\n  receiver: d\n  routes: [{receiver: nobody}]\nreceivers: [{name: d}]', 'route.routes[0].receiver: no receiver named nobody'],
    ['an unknown time interval', 'route:\n  receiver: d\n  mute_time_intervals: [night]\nreceivers: [{name: d}]', 'route.mute_time_intervals[0]: no time interval named night'],
    ['a root without receiver', 'route: {group_by: [node]}\nreceivers: [{name: d}]', 'route.receiver: the root route needs a receiver'],
    ['a root with matchers', 'route: {receiver: d, matchers: [a=1]}\nreceivers: [{name: d}]', 'route.matchers: the root route must not have matchers'],
    ['a duplicate receiver', 'route: {receiver: d}\nreceivers: [{name: d}, {name: d}]', 'receivers[1].name: duplicate receiver d'],
    ['a bad clock', 'route: {receiver: d}\nreceivers: [{name: d}]\ntime_intervals:\n  - name: n\n    time_intervals: [{times: [{start_time: "9:00", end_time: "17:00"}]}]',
      'time_intervals[0].time_intervals[0].times[0].start_time: expected HH:MM'],
    ['an unknown time zone', 'route: {receiver: d}\nreceivers: [{name: d}]\ntime_intervals:\n  - name: n\n    time_intervals: [{location: Mars/Olympus}]',
      'time_intervals[0].time_intervals[0].location: unknown time zone Mars/Olympus'],
    ['a bad label in equal', 'route: {receiver: d}\nreceivers: [{name: d}]\ninhibit_rules: [{source_matchers: [a=1], target_matchers: [b=1], equal: ["no-dash"]}]',
      'inhibit_rules[0].equal[0]: expected a label name'],
    ['broken YAML', 'route: {receiver: d\nreceivers: []', 'routing config is not valid YAML at line'],
  ])('names the path of %s', (_name, yamlText, message) => {
    const error = errorOf(yamlText);
    expect(error.code).toBe('VIGIL_CONFIG');
    expect(error.message).toContain(message);
  });
});

describe('defaultRoutingConfig', () => {
  it('routes everything to `default`: stdout, plus email when configured, one group per label set, sent at once', () => {
    const config = defaultRoutingConfig({ email: true });
    expect(config.route).toMatchObject({ receiver: 'default', groupBy: 'all', groupWaitMs: 0, routes: [] });
    expect(config.receivers.get('default')!.channels.map((channel) => channel.type)).toEqual(['stdout', 'email']);
    expect(defaultRoutingConfig({ email: false }).receivers.get('default')!.channels.map((channel) => channel.type)).toEqual(['stdout']);
    expect(config.inhibitRules).toHaveLength(1);
  });
});
