import { describe, expect, it } from 'vitest';
import type { Alert } from './alert.js';
import { parseRoutingConfig, type RoutingConfig } from './config.js';
import { flushDue, groupKeyOf, groupLabelsOf, insertAlertInto, type Flush, type GroupState } from './group.js';
import { matchRoutes } from './route.js';
import type { Labels } from './matchers.js';
import { muteReason } from './mute.js';
import { createSilence, emptySilences, type SilenceState } from './silence.js';

const t0 = Date.parse('2026-11-25T12:00:00Z'); // a Wednesday
const s = 1_000;
const m = 60_000;
const h = 3_600_000;

const config = parseRoutingConfig(`
route:
  receiver: ops
  group_by: [cluster, node]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: [severity=CRITICAL]
      receiver: oncall
      continue: true
    - matchers: [scenario=DISK]
      receiver: storage
      active_time_intervals: [business-hours]
receivers:
  - name: ops
    channels: [{type: slack, send_resolved: true}]
  - name: oncall
    channels: [{type: dingtalk}]
  - name: storage
    channels: [{type: email}]
inhibit_rules:
  - source_matchers: ['severity="CRITICAL"', 'pod=""']
    target_matchers: ['severity="WARNING"', 'pod=~".+"']
    equal: [cluster, node]
time_intervals:
  - name: business-hours
    time_intervals: [{weekdays: ['monday:friday'], times: [{start_time: '09:00', end_time: '17:00'}]}]
`);

const node7 = { cluster: 'prod-eu', node: 'worker-7' };
const firing = (labels: Labels, startsAtMs: number, sourceId?: string): Alert => ({ labels, startsAtMs, resolvedAtMs: null, sourceId });
const resolvedAt = (alert: Alert, atMs: number): Alert => ({ ...alert, resolvedAtMs: atMs });

type Event = { atMs: number; alert: Alert };

const emptyGroups: GroupState = { groups: {} };

/** What the notifier does with an alert: its intake matches the routes, the owner puts it into each route's group. */
function insertAlert(state: GroupState, routing: RoutingConfig, alert: Alert, nowMs: number): GroupState {
  return matchRoutes(routing.route, alert.labels).reduce((next, route) => insertAlertInto(next, route, alert, nowMs), state);
}

/** When the owner's timer next fires: the earliest group due. */
const nextFlushAtMs = (state: GroupState): number | undefined =>
  Object.values(state.groups).reduce<number | undefined>((next, group) => (next === undefined || group.nextFlushAtMs < next ? group.nextFlushAtMs : next), undefined);

/** Feeds events in time order and flushes whenever a group is due, up to `untilMs`: what the adapter does with real timers. */
function run(events: Event[], untilMs: number, routing: RoutingConfig = config, suppress?: (state: GroupState, alert: Alert, nowMs: number) => string | undefined) {
  let state = emptyGroups;
  const flushes: Flush[] = [];
  const pending = [...events].sort((a, b) => a.atMs - b.atMs);
  for (;;) {
    const nextEvent = pending[0]?.atMs ?? Infinity;
    const nextFlush = nextFlushAtMs(state) ?? Infinity;
    const nowMs = Math.min(nextEvent, nextFlush);
    if (nowMs > untilMs) break;
    if (nextEvent <= nextFlush) {
      state = insertAlert(state, routing, pending.shift()!.alert, nowMs);
    } else {
      const current = state;
      const result = flushDue(state, routing, nowMs, { suppress: suppress && ((alert) => suppress(current, alert, nowMs)) });
      state = result.state;
      flushes.push(...result.flushes);
    }
  }
  return { state, flushes };
}

const summary = (flush: Flush) => ({
  atMs: flush.atMs - t0,
  receiver: flush.receiver,
  firing: flush.firing.map((alert) => alert.sourceId),
  resolved: flush.resolved.map((alert) => alert.sourceId),
});

describe('aggregation groups', () => {
  const memory = firing({ ...node7, scenario: 'MEMORY', severity: 'WARNING' }, t0, 'memory');
  const load = firing({ ...node7, scenario: 'LOAD', severity: 'WARNING' }, t0 + 5 * s, 'load');
  const io = firing({ ...node7, scenario: 'IO', severity: 'WARNING' }, t0 + 12 * s, 'io');

  it('grouping by cluster,node sends one message for three anomalies on a node after group_wait', () => {
    const { flushes } = run([memory, load, io].map((alert) => ({ atMs: alert.startsAtMs, alert })), t0 + 4 * m);
    expect(flushes.map((flush) => ({ ...summary(flush), firing: [...summary(flush).firing].sort() }))).toEqual([
      { atMs: 30 * s, receiver: 'ops', firing: ['io', 'load', 'memory'], resolved: [] },
    ]);
    expect(flushes[0]!.groupLabels).toEqual(node7);
  });

  it('a change after the first flush waits for group_interval; an unchanged firing group repeats after repeat_interval', () => {
    const late = firing({ ...node7, scenario: 'PIDS', severity: 'WARNING' }, t0 + 1 * m, 'pids');
    const { flushes } = run([memory, late].map((alert) => ({ atMs: alert.startsAtMs, alert })), t0 + 5 * h);
    // group_wait 30s, then ticks every 5m from there: the new alert at 1m goes out at 5m30s, the repeat at the first tick 4h after that.
    expect(flushes.map((flush) => [flush.atMs - t0, flush.firing.length])).toEqual([
      [30 * s, 1],
      [5 * m + 30 * s, 2],
      [4 * h + 5 * m + 30 * s, 2],
    ]);
  });

  it('a resolved alert is told when the receiver has send_resolved, then leaves the group', () => {
    const { flushes, state } = run(
      [
        { atMs: t0, alert: memory },
        { atMs: t0 + 2 * m, alert: resolvedAt(memory, t0 + 2 * m) },
      ],
      t0 + 1 * h,
    );
    expect(flushes.map(summary)).toEqual([
      { atMs: 30 * s, receiver: 'ops', firing: ['memory'], resolved: [] },
      { atMs: 5 * m + 30 * s, receiver: 'ops', firing: [], resolved: ['memory'] },
    ]);
    expect(state.groups).toEqual({});
  });

  it('without send_resolved the resolution is not sent', () => {
    const critical = firing({ ...node7, severity: 'CRITICAL', scenario: 'OOM' }, t0, 'oom');
    const { flushes } = run([{ atMs: t0, alert: critical }, { atMs: t0 + m, alert: resolvedAt(critical, t0 + m) }], t0 + h);
    expect(flushes.filter((flush) => flush.receiver === 'oncall').map(summary)).toEqual([{ atMs: 30 * s, receiver: 'oncall', firing: ['oom'], resolved: [] }]);
  });

  it('a route with continue: true sends to two receivers', () => {
    const critical = firing({ ...node7, severity: 'CRITICAL', scenario: 'DISK' }, t0, 'disk-full');
    const { flushes } = run([{ atMs: t0, alert: critical }], t0 + m);
    expect(flushes.map((flush) => flush.receiver).sort()).toEqual(['oncall', 'storage']);
    expect(new Set(flushes.map((flush) => flush.groupKey)).size).toBe(2);
  });

  it('an alert older than group_wait is sent at once (Alertmanager dispatch_test.go TestAggrGroup)', () => {
    const old = firing({ ...node7, scenario: 'MEMORY', severity: 'WARNING' }, t0 - 10 * m, 'old');
    expect(run([{ atMs: t0, alert: old }], t0 + m).flushes.map(summary)).toEqual([{ atMs: 0, receiver: 'ops', firing: ['old'], resolved: [] }]);
  });

  it('an already resolved alert opens no group', () => {
    expect(insertAlert(emptyGroups, config, resolvedAt(memory, t0), t0 + s)).toEqual(emptyGroups);
  });

  it('outside its active time interval a group waits for it', () => {
    const evening = Date.parse('2026-11-25T20:00:00Z');
    const disk = firing({ ...node7, scenario: 'DISK', severity: 'WARNING' }, evening, 'disk');
    const { flushes } = run([{ atMs: evening, alert: disk }], evening + 14 * h);
    expect(flushes.map((flush) => [new Date(flush.atMs).toISOString(), flush.receiver])).toEqual([['2026-11-26T09:00:30.000Z', 'storage']]);
  });
});

describe('with silences and inhibition', () => {
  const nodeCritical = firing({ ...node7, severity: 'CRITICAL', scenario: 'MEMORY' }, t0, 'node-critical');
  const podWarning = firing({ ...node7, namespace: 'shop', pod: 'api-1', severity: 'WARNING', scenario: 'MEMORY' }, t0 + s, 'pod-warning');
  const billingWarning = firing({ ...node7, namespace: 'billing', pod: 'pay-1', severity: 'WARNING', scenario: 'LOAD' }, t0 + 2 * s, 'billing-warning');
  const groupAlerts = (state: GroupState) => Object.values(state.groups).flatMap((group) => Object.values(group.alerts));

  it('a pod warning is muted while its node has a critical, and sent once the critical resolves', () => {
    const suppress = (state: GroupState, alert: Alert, nowMs: number) => muteReason(config, emptySilences, groupAlerts(state), alert, nowMs);
    const { flushes } = run(
      [
        { atMs: t0, alert: nodeCritical },
        { atMs: t0 + s, alert: podWarning },
        { atMs: t0 + 20 * m, alert: resolvedAt(nodeCritical, t0 + 20 * m) },
      ],
      t0 + h,
      config,
      suppress,
    );
    // The critical goes to oncall (a matching child takes it from the root); the warning's group on ops first flushes at 31s, muted.
    expect(flushes.map(summary)).toEqual([
      { atMs: 30 * s, receiver: 'oncall', firing: ['node-critical'], resolved: [] },
      { atMs: 20 * m + 31 * s, receiver: 'ops', firing: ['pod-warning'], resolved: [] },
    ]);
  });

  it('a silence on namespace=shop mutes only shop', () => {
    const silences: SilenceState = (createSilence(emptySilences, { matchers: ['namespace=shop'], endsAtMs: t0 + h, createdBy: 'alice', comment: 'deploy' }, t0) as { state: SilenceState }).state;
    const suppress = (state: GroupState, alert: Alert, nowMs: number) => muteReason(config, silences, groupAlerts(state), alert, nowMs);
    const state1 = insertAlert(insertAlert(emptyGroups, config, podWarning, t0 + s), config, billingWarning, t0 + 2 * s);
    const result = flushDue(state1, config, t0 + 31 * s, { suppress: (alert) => suppress(state1, alert, t0 + 31 * s) });
    expect(result.flushes.map(summary)).toEqual([{ atMs: 31 * s, receiver: 'ops', firing: ['billing-warning'], resolved: [] }]);
    expect(result.suppressed.map((entry) => [entry.alert.sourceId, entry.reason])).toEqual([['pod-warning', expect.stringMatching(/^silenced by /)]]);
  });
});

describe('group keys', () => {
  it('are a hash of the route and the group labels, the same on two instances', () => {
    const other = parseRoutingConfig(`route: {receiver: ops, group_by: [cluster, node]}\nreceivers: [{name: ops}]`);
    const labels = { ...node7, pod: 'a', severity: 'WARNING' };
    const key = groupKeyOf(other.route, groupLabelsOf(other.route, labels));
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(groupKeyOf(config.route, groupLabelsOf(config.route, { severity: 'INFO', node: 'worker-7', cluster: 'prod-eu' }))).toBe(key);
    expect(groupKeyOf(config.route, groupLabelsOf(config.route, { ...node7, node: 'worker-8' }))).not.toBe(key);
  });

  it('two instances fed the same events flush the same groups at the same times', () => {
    const events = [0, 1, 2].map((index) => ({ atMs: t0 + index * 7 * s, alert: firing({ ...node7, node: `worker-${index % 2}`, scenario: 'IO', severity: 'WARNING' }, t0 + index * 7 * s, `a${index}`) }));
    expect(run(events, t0 + 5 * h).flushes).toEqual(run(events, t0 + 5 * h).flushes);
  });

  it('groups by every label with group_by: [...]', () => {
    const all = parseRoutingConfig(`route: {receiver: ops, group_by: ['...']}\nreceivers: [{name: ops}]`);
    expect(groupLabelsOf(all.route, { b: '2', a: '1', empty: '' })).toEqual({ a: '1', b: '2' });
  });
});
