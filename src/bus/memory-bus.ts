/**
 * The in-process bus: what `npm start` runs the whole pipeline on, and what unit tests use. It keeps
 * Kafka's semantics that code above relies on — keyed partitions (murmur2, as the Java client),
 * consumer groups that split and rebalance partitions, committed offsets per group and partition,
 * redelivery of uncommitted records to the next owner, headers, per-partition order — and nothing
 * else (no replication, no transactions).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { VigilError } from '../errors.js';
import {
  silentLogger, type Bus, type BusLogger, type Headers, type IncomingRecord, type OutgoingRecord, type SubscribeOptions,
  type Subscription,
} from './bus.js';
import { partitionForKey } from './murmur2.js';

export interface MemoryBusOptions {
  /** Partitions of a topic created on first use. Default 4, as the Kafka mock broker. */
  partitionsPerTopic?: number;
  /** Partition counts for named topics, overriding `partitionsPerTopic`. */
  topicPartitions?: Record<string, number>;
  /** Bytes of record values kept per partition; older records are dropped like Kafka retention. Default 32 MiB. */
  retentionBytesPerPartition?: number;
  /** Pause before handing a record whose handler rejected to the handler again. Default 1000. */
  handlerRetryMs?: number;
  logger?: BusLogger;
}

interface StoredRecord {
  key: Buffer | null;
  value: Buffer;
  headers: Headers;
  timestampMs: number;
}

/** Records handled back to back before a partition worker lets timers and I/O run. */
const RECORDS_PER_YIELD = 256;

class PartitionLog {
  /** Offset of records[0]. */
  startOffset = 0;
  private records: StoredRecord[] = [];
  private bytes = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly retentionBytes: number) {}

  get endOffset(): number {
    return this.startOffset + this.records.length;
  }

  append(record: StoredRecord): void {
    this.records.push(record);
    this.bytes += record.value.length;
    if (this.bytes > this.retentionBytes) this.trim();
    if (this.waiters.size > 0) {
      const waiters = [...this.waiters];
      this.waiters.clear();
      for (const wake of waiters) wake();
    }
  }

  get(offset: number): StoredRecord | undefined {
    return this.records[offset - this.startOffset];
  }

  /** Calls `wake` once on the next append. */
  onAppend(wake: () => void): void {
    this.waiters.add(wake);
  }

  offAppend(wake: () => void): void {
    this.waiters.delete(wake);
  }

  private trim(): void {
    // Drop down to three quarters of the limit at once, so trimming stays amortised O(1) per record.
    let drop = 0;
    while (this.bytes > (this.retentionBytes * 3) / 4 && drop < this.records.length - 1) {
      this.bytes -= this.records[drop]!.value.length;
      drop++;
    }
    this.records.splice(0, drop);
    this.startOffset += drop;
  }
}

class Topic {
  readonly partitions: PartitionLog[];
  constructor(readonly name: string, partitionCount: number, retentionBytes: number) {
    this.partitions = Array.from({ length: partitionCount }, () => new PartitionLog(retentionBytes));
  }
}

/** Hands one partition's records to a member's handler, one at a time, in offset order. */
class PartitionWorker {
  /** Next offset to hand to the handler. */
  position: number;
  /** Offset after the last record whose handler resolved: what may be committed. */
  handledUpTo: number;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    readonly partition: number,
    private readonly topic: Topic,
    startOffset: number,
    private readonly handler: SubscribeOptions['handler'],
    private readonly handlerRetryMs: number,
    private readonly logger: BusLogger,
  ) {
    this.position = startOffset;
    this.handledUpTo = startOffset;
  }

  /** Starts handing records over; called once the member has been told of its new assignment. */
  start(): void {
    this.loop = this.run();
  }

  /** Stops after the record in hand (if any) is handled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const log = this.topic.partitions[this.partition]!;
    let sinceYield = 0;
    while (!this.stopped) {
      if (this.position < log.startOffset) this.position = this.handledUpTo = log.startOffset;
      const stored = log.get(this.position);
      if (!stored) {
        await this.sleep((wake) => log.onAppend(wake), (wake) => log.offAppend(wake));
        continue;
      }
      const record: IncomingRecord = {
        topic: this.topic.name,
        partition: this.partition,
        offset: String(this.position),
        key: stored.key,
        value: stored.value,
        headers: stored.headers,
        timestampMs: stored.timestampMs,
      };
      try {
        await this.handler(record);
      } catch (error) {
        this.logger.error({ err: error, topic: record.topic, partition: record.partition, offset: record.offset },
          'record handler failed; handing the record over again');
        await this.sleep((wake) => { const timer = setTimeout(wake, this.handlerRetryMs); return timer; }, () => {});
        continue;
      }
      this.position++;
      this.handledUpTo = this.position;
      if (++sinceYield >= RECORDS_PER_YIELD) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
  }

  /** Waits until `arm`'s wake-up fires or the worker is stopped. */
  private sleep(arm: (wake: () => void) => unknown, disarm: (wake: () => void) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: unknown;
      const wake = (): void => {
        this.wake = undefined;
        disarm(wake);
        if (timer) clearTimeout(timer as NodeJS.Timeout);
        resolve();
      };
      this.wake = wake;
      timer = arm(wake);
    });
  }
}

/** One subscribe() call: a member of a group. */
class Member {
  readonly workers = new Map<number, PartitionWorker>();
  closing = false;
  /** False when the member leaves as if it crashed: revoked partitions are not committed. */
  commitOnRevoke = true;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly group: Group, readonly options: SubscribeOptions) {
    const interval = options.commitIntervalMs ?? 5000;
    if (interval > 0) {
      this.timer = setInterval(() => this.commit(), interval);
      this.timer.unref();
    }
  }

  assignment(): number[] {
    return [...this.workers.keys()].sort((a, b) => a - b);
  }

  commit(): void {
    for (const worker of this.workers.values()) this.commitPartition(worker);
  }

  commitPartition(worker: PartitionWorker): void {
    let offset = worker.handledUpTo;
    const retained = this.options.retainFrom?.(worker.partition);
    if (retained !== undefined) offset = Math.min(offset, Number(retained));
    this.group.committed.set(worker.partition, offset);
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** A consumer group's state for one topic. */
class Group {
  readonly members: Member[] = [];
  readonly committed = new Map<number, number>();
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(readonly topic: Topic, private readonly handlerRetryMs: number, private readonly logger: BusLogger) {}

  /** Rebalances run one after another; each waits for revoked partitions' records in hand. */
  rebalance(): Promise<void> {
    this.rebalancing = this.rebalancing.then(() => this.assign());
    return this.rebalancing;
  }

  private async assign(): Promise<void> {
    const active = this.members.filter((member) => !member.closing);
    const owners = new Map<number, Member>();
    this.topic.partitions.forEach((_, partition) => {
      if (active.length > 0) owners.set(partition, active[partition % active.length]!);
    });
    const changed = new Set<Member>();

    // Revoke first, so a partition never has two workers.
    const stopping: Promise<void>[] = [];
    for (const member of this.members) {
      for (const [partition, worker] of member.workers) {
        if (owners.get(partition) === member) continue;
        member.workers.delete(partition);
        changed.add(member);
        stopping.push(worker.stop().then(() => { if (member.commitOnRevoke) member.commitPartition(worker); }));
      }
    }
    await Promise.all(stopping);

    const starting: PartitionWorker[] = [];
    for (const [partition, member] of owners) {
      if (member.workers.has(partition)) continue;
      const log = this.topic.partitions[partition]!;
      const start = this.committed.get(partition) ?? (member.options.fromBeginning === false ? log.endOffset : log.startOffset);
      const worker = new PartitionWorker(partition, this.topic, start, member.options.handler, this.handlerRetryMs, this.logger);
      member.workers.set(partition, worker);
      starting.push(worker);
      changed.add(member);
    }
    // A member hears of a partition before its first record reaches the handler.
    for (const member of changed) {
      if (!member.closing) member.options.onAssignment?.(member.assignment());
    }
    for (const worker of starting) worker.start();
  }
}

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly partitionsPerTopic: number;
  private readonly topicPartitions: Record<string, number>;
  private readonly retentionBytes: number;
  private readonly handlerRetryMs: number;
  private readonly logger: BusLogger;
  private closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.partitionsPerTopic = options.partitionsPerTopic ?? 4;
    this.topicPartitions = options.topicPartitions ?? {};
    this.retentionBytes = options.retentionBytesPerPartition ?? 32 * 1024 * 1024;
    this.handlerRetryMs = options.handlerRetryMs ?? 1000;
    this.logger = options.logger ?? silentLogger;
  }

  async connect(): Promise<void> {
    this.closed = false;
  }

  async produce(topicName: string, records: OutgoingRecord[]): Promise<void> {
    if (this.closed) throw new VigilError('VIGIL_BUS', `cannot produce to ${topicName}: the memory bus is closed`, { retriable: false });
    const topic = this.topic(topicName);
    const partitions = topic.partitions.length;
    const timestampMs = Date.now();
    for (const record of records) {
      const key = Buffer.from(record.key);
      topic.partitions[partitionForKey(key, partitions)]!.append({
        key,
        value: record.value,
        headers: record.headers ?? {},
        timestampMs,
      });
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) throw new VigilError('VIGIL_BUS', `cannot subscribe to ${options.topic}: the memory bus is closed`, { retriable: false });
    const group = this.group(options.group, options.topic);
    const member = new Member(group, options);
    group.members.push(member);
    await group.rebalance();

    const subscription: Subscription = {
      assignment: () => member.assignment(),
      commit: async () => member.commit(),
      close: async ({ commit = true } = {}) => {
        if (member.closing) return;
        member.closing = true;
        member.commitOnRevoke = commit;
        member.stopTimer();
        await group.rebalance();
        group.members.splice(group.members.indexOf(member), 1);
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }

  /** Committed offset of a group on a partition, for tests and the `vigil` CLI. */
  committedOffset(group: string, topic: string, partition: number): string | undefined {
    const offset = this.groups.get(`${group}\u0000${topic}`)?.committed.get(partition);
    return offset === undefined ? undefined : String(offset);
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = new Topic(name, this.topicPartitions[name] ?? this.partitionsPerTopic, this.retentionBytes);
      this.topics.set(name, topic);
    }
    return topic;
  }

  private group(name: string, topicName: string): Group {
    const id = `${name}\u0000${topicName}`;
    let group = this.groups.get(id);
    if (!group) {
      group = new Group(this.topic(topicName), this.handlerRetryMs, this.logger);
      this.groups.set(id, group);
    }
    return group;
  }
}
