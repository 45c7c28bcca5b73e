/**
 * The second stage of the notifier: the owner of notifier.outbox partitions. Every alert accepted
 * from the inputs was written there keyed by its group key, so each aggregation group lives in one
 * partition and so in exactly one instance of the consumer group: two instances never notify the
 * same group. The owner groups alerts (group_wait / group_interval / repeat_interval), mutes them by
 * silences and inhibition, dedups each channel against the notification log (DONE entries in the
 * same partition, after Alertmanager's nflog), and hands flushes to the channels' outboxes.
 *
 * Durability: a partition is committed only up to the first record of a group that is still alive
 * or still has a flush waiting in a channel outbox (`retainFrom`). Whoever owns the partition after
 * a crash or a rebalance replays those records — alerts and DONE entries in their order — and sends
 * what no DONE entry covers. It flushes nothing of a partition before it has replayed it: on its
 * first record of a newly given partition it writes a BARRIER there and waits to read it back; the
 * replayed groups then wait `takeoverGraceMs`, for a DONE the previous owner was still writing.
 * A send in flight when a partition moves can still arrive twice if it takes longer than that.
 */
import { randomUUID } from 'node:crypto';
import { RecentIds } from '../../src/bus/dedup.js';
import type { Subscription } from '../../src/bus/bus.js';
import { deterministicId } from '../../src/codec/ids.js';
import type { Notification, NotificationStatus, OutboxEntry } from '../../src/codec/records.generated.js';
import type { Logger } from '../../src/runtime/logger.js';
import type { RecordIo } from '../../src/runtime/record-io.js';
import { ChannelOutbox, type OutboxItem, type Outcome } from './channel-outbox.js';
import type { RoutedChannel } from './channels/registry.js';
import { oneLine } from './channels/message.js';
import { notificationRecord } from './core/notification-record.js';
import { alertFingerprint, isFiring, type Alert } from './core/routing/alert.js';
import type { RoutingConfig } from './core/routing/config.js';
import { logEntry, needsUpdate, type LogEntry } from './core/routing/dedup.js';
import { flushDue, insertAlertInto, type AggregationGroup, type Flush, type GroupState } from './core/routing/group.js';
import { muteReason } from './core/routing/mute.js';
import { routeById } from './core/routing/route.js';
import type { SilenceState } from './core/routing/silence.js';
import { messageFromSource, type NotifierSource } from './core/sources.js';
import type { TimerHandle, Timers } from './timers.js';

export interface OutboxOwnerOptions {
  io: RecordIo;
  group: string;
  routing: RoutingConfig;
  receivers: ReadonlyMap<string, readonly RoutedChannel[]>;
  timers: Timers;
  logger: Logger;
  silences: () => SilenceState;
  retryBaseMs: number;
  giveUpMs: number;
  /** How long groups replayed after taking a partition over wait before they are flushed. */
  takeoverGraceMs: number;
}

export interface OutboxOwner {
  /** Flushes waiting in channel outboxes. */
  pendingCount(): number;
  close(options?: { commit?: boolean }): Promise<void>;
}

/** `takenAtMs`: wall-clock time the partition was given to this instance; records written before it are replayed. */
type PartitionPhase = { phase: 'fresh'; takenAtMs: number } | { phase: 'replaying'; nonce: string; takenAtMs: number } | { phase: 'live'; takenAtMs: number };

interface GroupHold {
  partition: number;
  /** Offset of the record that created the group here: the partition is not committed past it while the group needs it. */
  offset: bigint;
  /** Created from a record written before this instance took the partition (a previous owner may have sent it). */
  replayed: boolean;
}

/** The ALERT entry for an alert joining the group `groupKey` of route `routeId`. */
export function alertEntry(groupKey: string, routeId: string, receiver: string, alert: Alert, source: NotifierSource): OutboxEntry {
  return {
    kind: 'ALERT', groupKey, routeId, receiver, labels: { ...alert.labels }, startsAtMs: alert.startsAtMs, resolvedAtMs: alert.resolvedAtMs,
    sourceId: alert.sourceId ?? '', source: JSON.stringify(source), channelIndex: -1, firing: [], resolved: [], sentAtMs: 0, nonce: '',
  };
}

function markerEntry(groupKey: string, nonce: string): OutboxEntry {
  return { kind: 'BARRIER', groupKey, routeId: '', receiver: '', labels: {}, startsAtMs: 0, resolvedAtMs: null, sourceId: '', source: '', channelIndex: -1, firing: [], resolved: [], sentAtMs: 0, nonce };
}

function doneEntry(item: OutboxItem): OutboxEntry {
  return {
    kind: 'DONE', groupKey: item.groupKey, routeId: '', receiver: item.receiver, labels: {}, startsAtMs: 0, resolvedAtMs: null, sourceId: '', source: '',
    channelIndex: item.channelIndex, firing: [...item.firing], resolved: [...item.resolved], sentAtMs: item.flushAtMs, nonce: '',
  };
}

/** The notifications record of one outbox item: for one firing report the record the notifier always wrote; otherwise keyed by group and flush time. */
export function itemRecord(item: OutboxItem, channel: RoutedChannel, status: NotificationStatus, error: string | undefined): Notification {
  const parts = item.delivery.parts;
  const only = parts.length === 1 ? parts[0]! : undefined;
  if (only && only.source.type === 'report' && !only.message.resolved) {
    return { ...notificationRecord({ report: only.source.record, channel: channel.type, receiver: channel.receiver, status, attempts: item.attempts, ...(error !== undefined ? { error } : {}) }), subject: item.delivery.message.title };
  }
  const dedupKey = `group:${item.groupKey}:${item.flushAtMs}`;
  return {
    id: deterministicId(dedupKey, channel.type, channel.receiver),
    dedupKey,
    channel: channel.type,
    receiver: channel.receiver,
    status,
    subject: item.delivery.message.title,
    sourceIds: parts.map((part) => part.message.reportId),
    attempts: item.attempts,
    error: error ?? null,
    timestampMs: Math.max(...parts.map((part) => part.message.createdAtMs)),
  };
}

export async function startOutboxOwner(options: OutboxOwnerOptions): Promise<OutboxOwner> {
  const { io, routing, receivers, timers, logger } = options;
  const instance = randomUUID();
  let epoch = 0;
  /** The aggregation groups of the owned partitions; the core's functions get the few a step touches. */
  const groups = new Map<string, AggregationGroup>();
  const holds = new Map<string, GroupHold>();
  const sources = new Map<string, Map<string, NotifierSource>>();
  /** Notification log: per group, what each channel (by index in its receiver) was last told. */
  const channelLog = new Map<string, Map<number, LogEntry>>();
  const logOf = (groupKey: string): Map<number, LogEntry> => {
    let log = channelLog.get(groupKey);
    if (!log) channelLog.set(groupKey, (log = new Map()));
    return log;
  };
  const partitions = new Map<number, PartitionPhase>();
  const suppressedSeen = new RecentIds(10_000);
  let timer: TimerHandle | undefined;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();

  const exclusive = (work: () => Promise<void>): Promise<void> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  const outboxes = new Map<string, ChannelOutbox[]>();
  const allOutboxes = (): ChannelOutbox[] => [...outboxes.values()].flat();
  const pendingGroups = (): Set<string> => new Set(allOutboxes().flatMap((outbox) => outbox.pending().map((item) => item.groupKey)));

  /** Forgets the holds of these groups when neither the group nor a waiting flush of it is left. */
  const release = (groupKeys: Iterable<string>): void => {
    let pending: Set<string> | undefined;
    for (const groupKey of groupKeys) {
      if (groups.has(groupKey) || !holds.has(groupKey)) continue;
      pending ??= pendingGroups();
      if (pending.has(groupKey)) continue;
      holds.delete(groupKey);
      channelLog.delete(groupKey);
    }
  };

  /** The source records of a group's alerts, by sourceId (waiting flushes carry their own). */
  const sourcesOf = (groupKey: string): Map<string, NotifierSource> => {
    let map = sources.get(groupKey);
    if (!map) sources.set(groupKey, (map = new Map()));
    return map;
  };

  /** Keeps the group (or drops it with its sources) after the core changed it. */
  const putGroup = (groupKey: string, group: AggregationGroup | undefined): void => {
    if (!group) {
      groups.delete(groupKey);
      sources.delete(groupKey);
      return;
    }
    groups.set(groupKey, group);
    const kept = sources.get(groupKey);
    if (kept) for (const id of kept.keys()) if (!Object.values(group.alerts).some((alert) => alert.sourceId === id)) kept.delete(id);
  };

  const publishNotifications = (records: Notification[]) => io.publish('notifications', records.map((value) => ({ key: value.dedupKey, value })));

  const onOutcome = (channel: RoutedChannel) => async (items: readonly OutboxItem[], outcome: Outcome): Promise<void> => {
    const error = outcome.status === 'SENT' ? undefined : outcome.error;
    try {
      await publishNotifications(items.map((item) => itemRecord(item, channel, outcome.status, error)));
      if (outcome.final) {
        for (const item of items) logOf(item.groupKey).set(item.channelIndex, logEntry(item.groupKey, item.receiver, item.firing, item.resolved, item.flushAtMs));
        await io.publish('notifier.outbox', items.map((item) => ({ key: item.groupKey, value: doneEntry(item) })));
      }
    } catch (publishError) {
      // Without its DONE entry, a replay after a restart may send it again: at least once.
      logger.error({ err: publishError, channel: channel.name }, 'could not record a notification outcome');
    }
    if (outcome.final) release(new Set(items.map((item) => item.groupKey)));
  };

  for (const [name, channels] of receivers) {
    outboxes.set(name, channels.map((channel) => new ChannelOutbox({ channel, timers, logger, retryBaseMs: options.retryBaseMs, giveUpMs: options.giveUpMs, onOutcome: onOutcome(channel) })));
  }

  const nextLiveFlushAtMs = (): number | undefined => {
    let next: number | undefined;
    for (const [key, group] of groups) if ((next === undefined || group.nextFlushAtMs < next) && isLive(key)) next = group.nextFlushAtMs;
    return next;
  };

  const isLive = (groupKey: string): boolean => {
    const hold = holds.get(groupKey);
    return hold !== undefined && partitions.get(hold.partition)?.phase === 'live';
  };

  const schedule = (): void => {
    timer?.cancel();
    timer = undefined;
    if (closed) return;
    const next = nextLiveFlushAtMs();
    if (next === undefined) return;
    timer = timers.after(next - timers.now(), () => {
      timer = undefined;
      exclusive(processDue).catch((error: unknown) => logger.error({ err: error }, 'notifier flush failed'));
    });
  };

  const enqueueFlush = (flush: Flush, partition: number): void => {
    const route = routeById(routing.route, flush.routeId);
    const channels = outboxes.get(flush.receiver) ?? [];
    const resolvedOnly = flush.firing.length === 0;
    const about = resolvedOnly ? flush.resolved : flush.firing;
    const parts = about
      .flatMap((alert) => {
        const source = alert.sourceId !== undefined ? sources.get(flush.groupKey)?.get(alert.sourceId) : undefined;
        return source ? [{ source, message: messageFromSource(source, { groupKey: flush.groupKey, resolved: resolvedOnly }) }] : [];
      })
      .sort((a, b) => b.message.createdAtMs - a.message.createdAtMs || a.message.reportId.localeCompare(b.message.reportId));
    if (parts.length === 0 || !route) return;
    const primary = parts[0]!.message;
    const message = parts.length === 1 ? primary : { ...primary, title: oneLine(`${primary.title} and ${parts.length - 1} more`) };
    const firing = flush.firing.map(alertFingerprint).sort();
    channels.forEach((outbox, channelIndex) => {
      const channel = outbox.channel;
      if (resolvedOnly && !channel.sendResolved) return;
      const resolved = channel.sendResolved ? flush.resolved.map(alertFingerprint).sort() : [];
      const told = channelLog.get(flush.groupKey)?.get(channelIndex);
      if (told && !needsUpdate(told, firing, resolved, { repeatIntervalMs: route.repeatIntervalMs, sendResolved: channel.sendResolved, nowMs: flush.atMs })) return;
      outbox.enqueue({
        groupKey: flush.groupKey, receiver: flush.receiver, channelIndex, partition, flushAtMs: flush.atMs, firing, resolved,
        delivery: { message, parts }, queuedAtMs: timers.now(), attempts: 0,
      });
    });
  };

  /** Flushes the due groups of the partitions this instance has replayed. */
  const processDue = async (): Promise<void> => {
    if (closed) return;
    const nowMs = timers.now();
    const dueGroups: Record<string, AggregationGroup> = {};
    let anyDue = false;
    for (const [key, group] of groups) {
      if (group.nextFlushAtMs > nowMs || !isLive(key)) continue;
      dueGroups[key] = group;
      anyDue = true;
    }
    const due: GroupState = { groups: dueGroups };
    if (!anyDue) {
      schedule();
      return;
    }
    let active: Alert[] | undefined;
    const silences = options.silences();
    const result = flushDue(due, routing, nowMs, {
      suppress: (alert) => muteReason(routing, silences, (active ??= [...groups.values()].flatMap((group) => Object.values(group.alerts))), alert, nowMs),
    });

    const suppressed: Notification[] = [];
    for (const { receiver, alert, reason, groupKey } of result.suppressed) {
      const source = alert.sourceId !== undefined ? sources.get(groupKey)?.get(alert.sourceId) : undefined;
      if (!source) continue;
      const message = messageFromSource(source, { groupKey, resolved: !isFiring(alert, nowMs) });
      for (const channel of receivers.get(receiver) ?? []) {
        const record: Notification = source.type === 'report'
          ? notificationRecord({ report: source.record, channel: channel.type, receiver: channel.receiver, status: 'SUPPRESSED', attempts: 0, error: reason })
          : { id: deterministicId(`alert:${alert.sourceId}:${alert.startsAtMs}`, channel.type, channel.receiver), dedupKey: `alert:${alert.sourceId}:${alert.startsAtMs}`, channel: channel.type, receiver: channel.receiver, status: 'SUPPRESSED', subject: message.title, sourceIds: [message.reportId], attempts: 0, error: reason, timestampMs: message.createdAtMs };
        if (suppressedSeen.has(record.id)) continue;
        suppressedSeen.add(record.id);
        suppressed.push(record);
      }
    }
    for (const flush of result.flushes) {
      try {
        enqueueFlush(flush, holds.get(flush.groupKey)!.partition);
      } catch (error) {
        // One message that cannot be rendered must not stop every other group.
        logger.error({ err: error, groupKey: flush.groupKey }, 'notification could not be rendered; skipped');
      }
    }
    for (const key of Object.keys(due.groups)) putGroup(key, result.state.groups[key]);
    release(Object.keys(due.groups));
    schedule();
    if (suppressed.length > 0) await publishNotifications(suppressed);
  };

  const applyAlert = (entry: OutboxEntry, partition: number, offset: bigint, replayed: boolean): void => {
    const route = routeById(routing.route, entry.routeId);
    if (!route) {
      logger.warn({ routeId: entry.routeId, groupKey: entry.groupKey }, 'outbox alert of a route the routing config no longer has; dropped');
      return;
    }
    let source: NotifierSource;
    try {
      source = JSON.parse(entry.source) as NotifierSource;
    } catch {
      logger.warn({ groupKey: entry.groupKey }, 'outbox alert with an unreadable source; dropped');
      return;
    }
    const alert: Alert = { labels: entry.labels, startsAtMs: entry.startsAtMs, resolvedAtMs: entry.resolvedAtMs, sourceId: entry.sourceId };
    const existing = groups.get(entry.groupKey);
    const inserted = insertAlertInto({ groups: existing ? { [entry.groupKey]: existing } : {} }, route, alert, timers.now()).groups[entry.groupKey];
    if (!inserted) return;
    groups.set(entry.groupKey, inserted);
    const existed = existing !== undefined;
    sourcesOf(entry.groupKey).set(entry.sourceId, source);
    if (!existed && !holds.has(entry.groupKey)) holds.set(entry.groupKey, { partition, offset, replayed });
  };

  const applyDone = (entry: OutboxEntry): void => {
    // A group released here (ended and delivered) needs no log: a new group with its key is a new incident.
    if (!holds.has(entry.groupKey)) return;
    const told = logEntry(entry.groupKey, entry.receiver, entry.firing, entry.resolved, entry.sentAtMs);
    const log = logOf(entry.groupKey);
    const known = log.get(entry.channelIndex);
    if (!known || known.sentAtMs <= told.sentAtMs) log.set(entry.channelIndex, told);
    const group = groups.get(entry.groupKey);
    if (!group) return;
    // The group was told once every channel of its receiver logged this flush.
    const channels = receivers.get(group.receiver) ?? [];
    const allTold = channels.every((_, index) => log.get(index)?.sentAtMs === told.sentAtMs);
    if (allTold && (!group.lastSent || group.lastSent.sentAtMs < told.sentAtMs)) groups.set(entry.groupKey, { ...group, lastSent: told });
  };

  const revoke = (gone: ReadonlySet<number>): void => {
    if (gone.size === 0) return;
    for (const outbox of allOutboxes()) outbox.drop(gone);
    for (const key of groups.keys()) {
      const hold = holds.get(key);
      if (hold && gone.has(hold.partition)) putGroup(key, undefined);
    }
    for (const [key, hold] of holds) {
      if (!gone.has(hold.partition)) continue;
      holds.delete(key);
      channelLog.delete(key);
    }
  };

  // Writing first creates the topic where the broker creates topics on first use, so the owner gets
  // partitions before the first alert; no one waits for this marker's nonce.
  await io.publish('notifier.outbox', [{ key: `start-${instance}`, value: markerEntry(`start-${instance}`, `start-${instance}`) }]);
  const subscription: Subscription = await io.subscribe({
    topic: 'notifier.outbox',
    group: options.group,
    onAssignment: (assigned) => {
      const now = new Set(assigned);
      const gone = new Set([...partitions.keys()].filter((partition) => !now.has(partition)));
      for (const partition of gone) partitions.delete(partition);
      for (const partition of assigned) if (!partitions.has(partition)) partitions.set(partition, { phase: 'fresh', takenAtMs: Date.now() });
      revoke(gone);
      schedule();
    },
    retainFrom: (partition) => {
      let from: bigint | undefined;
      for (const hold of holds.values()) if (hold.partition === partition && (from === undefined || hold.offset < from)) from = hold.offset;
      return from === undefined ? undefined : String(from);
    },
    handler: (entry, meta) => exclusive(async () => {
      const partition = meta.partition;
      let phase: PartitionPhase = partitions.get(partition) ?? { phase: 'fresh', takenAtMs: Date.now() };
      if (phase.phase === 'fresh') {
        const nonce = `${instance}:${partition}:${++epoch}`;
        phase = { phase: 'replaying', nonce, takenAtMs: phase.takenAtMs };
        partitions.set(partition, phase);
        // Lands in this partition after everything written so far: reading it back means replayed.
        await io.publish('notifier.outbox', [{ key: meta.key?.toString('utf8') ?? entry.groupKey, value: markerEntry(entry.groupKey, nonce) }]);
      }
      switch (entry.kind) {
        case 'ALERT':
          // Broker time against this machine's clock: skew only shifts which groups wait the grace.
          applyAlert(entry, partition, BigInt(meta.offset), meta.timestampMs < phase.takenAtMs);
          break;
        case 'DONE':
          applyDone(entry);
          break;
        case 'BARRIER':
          if (phase.phase === 'replaying' && entry.nonce === phase.nonce) {
            partitions.set(partition, { phase: 'live', takenAtMs: phase.takenAtMs });
            // A previous owner may still be finishing a send of these groups (a rebalance): its
            // DONE entry gets this long to arrive before the groups are flushed again.
            const notBeforeMs = timers.now() + options.takeoverGraceMs;
            let replayed = 0;
            for (const [key, hold] of holds) {
              const group = groups.get(key);
              if (hold.partition !== partition || !hold.replayed || !group) continue;
              replayed++;
              if (group.nextFlushAtMs < notBeforeMs) groups.set(key, { ...group, nextFlushAtMs: notBeforeMs });
            }
            logger.info({ partition, groups: replayed }, 'outbox partition replayed');
          }
          break;
      }
      if (partitions.get(partition)?.phase !== 'live') return;
      const next = nextLiveFlushAtMs();
      if (next !== undefined && next <= timers.now()) await processDue();
      else schedule();
    }),
  });

  return {
    pendingCount: () => allOutboxes().reduce((total, outbox) => total + outbox.pending().length, 0),
    async close(closeOptions) {
      await subscription.close(closeOptions);
      closed = true;
      timer?.cancel();
      await queue;
      await Promise.all(allOutboxes().map((outbox) => outbox.close()));
    },
  };
}
