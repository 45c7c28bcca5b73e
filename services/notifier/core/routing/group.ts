/**
 * Aggregation groups, after Alertmanager's dispatch/dispatch.go: alerts of a route with the same
 * group_by label values share a group; a group is first flushed group_wait after its first alert,
 * then looked at every group_interval and flushed when its alerts changed or repeat_interval passed
 * while some fire. A state machine over event time: the adapter calls `flushDue` at `nextFlushAtMs`.
 * Group keys are hashes of route id and group labels, so two instances compute the same key.
 */
import { deterministicId } from '../../../../src/codec/ids.js';
import { alertFingerprint, isFiring, type Alert } from './alert.js';
import type { Route, RoutingConfig } from './config.js';
import { logEntry, needsUpdate, type LogEntry } from './dedup.js';
import type { Labels } from './matchers.js';
import { routeById } from './route.js';
import { isMuted } from './time-intervals.js';

export interface AggregationGroup {
  readonly groupKey: string;
  readonly routeId: string;
  readonly receiver: string;
  readonly groupLabels: Labels;
  /** By fingerprint. */
  readonly alerts: Readonly<Record<string, Alert>>;
  readonly nextFlushAtMs: number;
  /** What this group last told its receiver; null before the first notification. */
  readonly lastSent: LogEntry | null;
}

/** Groups by key; JSON as is. */
export interface GroupState {
  readonly groups: Readonly<Record<string, AggregationGroup>>;
}

/** A notification to make: the firing and (when the receiver wants them) resolved alerts of a group. */
export interface Flush {
  readonly groupKey: string;
  readonly routeId: string;
  readonly receiver: string;
  readonly groupLabels: Labels;
  readonly firing: readonly Alert[];
  readonly resolved: readonly Alert[];
  readonly atMs: number;
}

export interface Suppressed {
  readonly groupKey: string;
  readonly receiver: string;
  readonly alert: Alert;
  readonly reason: string;
}

export interface FlushResult {
  readonly state: GroupState;
  readonly flushes: readonly Flush[];
  /** Alerts left out of a flush by `suppress` (silences, inhibition). */
  readonly suppressed: readonly Suppressed[];
  /** Groups due but inside a mute time interval (or outside their active ones): kept for later. */
  readonly timeMuted: readonly { readonly groupKey: string; readonly receiver: string }[];
}

/** The group labels of an alert on a route: the group_by labels it has, or all its labels. */
export function groupLabelsOf(route: Route, labels: Labels): Labels {
  const names = route.groupBy === 'all' ? Object.keys(labels) : route.groupBy;
  return Object.fromEntries(names.filter((name) => (labels[name] ?? '') !== '').sort().map((name) => [name, labels[name]!]));
}

export function groupKeyOf(route: Route, groupLabels: Labels): string {
  return deterministicId('group', route.id, ...Object.keys(groupLabels).sort().map((name) => `${name}=${groupLabels[name]}`));
}

/**
 * Puts an alert into its group on one route. An alert of the group with the same `sourceId` but
 * other labels (an anomaly whose severity rose, say) is replaced, so one source is one alert.
 */
export function insertAlertInto(state: GroupState, route: Route, alert: Alert, nowMs: number): GroupState {
  const fingerprint = alertFingerprint(alert);
  const groupLabels = groupLabelsOf(route, alert.labels);
  const groupKey = groupKeyOf(route, groupLabels);
  const group = state.groups[groupKey];
  if (group) {
    const alerts = Object.fromEntries(Object.entries(group.alerts).filter(([key, other]) => key === fingerprint || alert.sourceId === undefined || other.sourceId !== alert.sourceId));
    return { groups: { ...state.groups, [groupKey]: { ...group, alerts: { ...alerts, [fingerprint]: alert } } } };
  }
  if (!isFiring(alert, nowMs)) return state;
  const nextFlushAtMs = alert.startsAtMs + route.groupWaitMs < nowMs ? nowMs : nowMs + route.groupWaitMs;
  return { groups: { ...state.groups, [groupKey]: { groupKey, routeId: route.id, receiver: route.receiver, groupLabels, alerts: { [fingerprint]: alert }, nextFlushAtMs, lastSent: null } } };
}

/**
 * Flushes the groups due at `nowMs`. `suppress` names why an alert must be left out (a silence, an
 * inhibition), as Alertmanager's mute stages before dedup. A flush carries resolved alerts only when
 * a channel of the receiver has send_resolved; a channel without it drops them. Resolved alerts
 * leave their group after it was looked at; an empty group is dropped.
 */
export function flushDue(
  state: GroupState,
  config: RoutingConfig,
  nowMs: number,
  options: { suppress?: (alert: Alert) => string | undefined } = {},
): FlushResult {
  const groups: Record<string, AggregationGroup> = { ...state.groups };
  const flushes: Flush[] = [];
  const suppressed: Suppressed[] = [];
  const timeMuted: { groupKey: string; receiver: string }[] = [];

  for (const groupKey of Object.keys(groups).sort()) {
    const group = groups[groupKey]!;
    if (group.nextFlushAtMs > nowMs) continue;
    const route = routeById(config.route, group.routeId);
    if (!route) {
      delete groups[groupKey];
      continue;
    }
    let next = group.nextFlushAtMs;
    while (next <= nowMs) next += route.groupIntervalMs;
    if (isMuted(route, config.timeIntervals, nowMs)) {
      groups[groupKey] = { ...group, nextFlushAtMs: next };
      timeMuted.push({ groupKey, receiver: group.receiver });
      continue;
    }

    const firing: Alert[] = [];
    const resolved: Alert[] = [];
    const remaining: Record<string, Alert> = {};
    for (const fingerprint of Object.keys(group.alerts).sort()) {
      const alert = group.alerts[fingerprint]!;
      const alertFiring = isFiring(alert, nowMs);
      if (alertFiring) remaining[fingerprint] = alert;
      const reason = options.suppress?.(alert);
      if (reason !== undefined) suppressed.push({ groupKey, receiver: group.receiver, alert, reason });
      else (alertFiring ? firing : resolved).push(alert);
    }
    const sendResolved = config.receivers.get(group.receiver)?.channels.some((channel) => channel.send_resolved) ?? false;
    const firingFingerprints = firing.map(alertFingerprint);
    const resolvedFingerprints = resolved.map(alertFingerprint);
    let lastSent = group.lastSent;
    if (needsUpdate(lastSent ?? undefined, firingFingerprints, resolvedFingerprints, { repeatIntervalMs: route.repeatIntervalMs, sendResolved, nowMs })) {
      lastSent = logEntry(groupKey, group.receiver, firingFingerprints, resolvedFingerprints, nowMs);
      const told = sendResolved ? resolved : [];
      if (firing.length > 0 || told.length > 0) {
        flushes.push({ groupKey, routeId: group.routeId, receiver: group.receiver, groupLabels: group.groupLabels, firing, resolved: told, atMs: nowMs });
      }
    }
    if (Object.keys(remaining).length === 0) delete groups[groupKey];
    else groups[groupKey] = { ...group, alerts: remaining, nextFlushAtMs: next, lastSent };
  }
  return { state: { groups }, flushes, suppressed, timeMuted };
}
