/**
 * The bus on Kafka through kafkajs (pure JavaScript): the default for deployments.
 *
 * Producer: acks=all, one request in flight per broker, murmur2 partitioner (keys map as with the Java client); produce()
 * calls made in the same tick are sent as one request. Consumer: one kafkajs consumer per
 * subscription, auto-commit off; a record's offset becomes committable only after its handler
 * resolved, and is committed every `commitIntervalMs`, on commit() and on a graceful close.
 * Partitions are processed concurrently, each one record at a time in order.
 */
import kafkajs, { type Consumer, type EachBatchPayload, type KafkaMessage, type LogEntry, type Producer, type TopicMessages } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { VigilError } from '../errors.js';
import { kafkajsSecurityOptions, type KafkaSecurity } from './kafka-security.js';
import {
  silentLogger, type Bus, type BusLogger, type Headers, type IncomingRecord, type OutgoingRecord, type SubscribeOptions,
  type Subscription,
} from './bus.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

export interface KafkajsBusOptions {
  brokers: string[];
  clientId: string;
  logger?: BusLogger;
  /** Pause before handing a record whose handler rejected to the handler again. Default 1000. */
  handlerRetryMs?: number;
  /** Partitions of one subscription processed at the same time. Default 4. */
  partitionsConsumedConcurrently?: number;
  /** TCP connect timeout per broker. Default 3000. */
  connectionTimeoutMs?: number;
  /** Retries of a failed connect or request before it rejects. Default 5 (a few seconds in all). */
  retries?: number;
  /** A member silent this long is dropped from its group. Default 10000. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for every member to rejoin. Default 30000. */
  rebalanceTimeoutMs?: number;
  /** SASL and TLS (kafka-security.ts); default plaintext. */
  security?: KafkaSecurity;
}

function toVigilError(action: string, error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  return new VigilError('VIGIL_BUS', `${action}: ${(error as Error)?.message ?? String(error)}`, { cause: error, retriable: true });
}

function headersOf(message: KafkaMessage): Headers {
  const headers: Headers = {};
  if (!message.headers) return headers;
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) headers[name] = last.toString();
  }
  return headers;
}

/** Routes kafkajs logs to the bus logger; kafkajs' own noise stays below warn. */
function logCreator(logger: BusLogger) {
  return () => (entry: LogEntry): void => {
    const { message, ...context } = entry.log;
    const fields = { namespace: entry.namespace, ...context };
    if (entry.level === logLevel.ERROR) {
      // Error responses (a rebalance in progress, the mock broker's unparsable LeaveGroup reply) are
      // retried by kafkajs itself; what it cannot recover from reaches us as a rejection or a crash.
      if (entry.namespace === 'Connection' && message.startsWith('Response ')) logger.debug(fields, message);
      else logger.error(fields, message);
    } else if (entry.level === logLevel.WARN) logger.warn(fields, message);
    else logger.debug(fields, message);
  };
}

interface PendingSend {
  topicMessages: Map<string, OutgoingRecord[]>;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

export class KafkajsBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: InstanceType<typeof Kafka>;
  private readonly producer: Producer;
  private readonly logger: BusLogger;
  private readonly subscriptions = new Set<KafkajsSubscription>();
  private pending: PendingSend | undefined;
  private connected: Promise<void> | undefined;

  constructor(private readonly options: KafkajsBusOptions) {
    this.logger = options.logger ?? silentLogger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      retry: { retries: options.retries ?? 5, initialRetryTime: 200, maxRetryTime: 5000 },
      logLevel: logLevel.WARN,
      logCreator: logCreator(this.logger),
      ...kafkajsSecurityOptions(options.security ?? {}),
    });
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      // kafkajs' idempotent producer looks up the controller broker, which the librdkafka mock does not
      // report; one request in flight per broker keeps retries from reordering a partition instead.
      idempotent: false,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      retry: { retries: options.retries ?? 5, initialRetryTime: 200, maxRetryTime: 5000 },
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw toVigilError(`cannot connect to Kafka at ${this.options.brokers.join(',')}`, error);
    });
    return this.connected;
  }

  /** Records produced in the same tick travel in one request; each call resolves when its records are acknowledged. */
  async produce(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    if (!this.pending) {
      const pending: PendingSend = { topicMessages: new Map(), waiters: [] };
      this.pending = pending;
      setImmediate(() => this.flush(pending));
    }
    const queued = this.pending.topicMessages.get(topic);
    if (queued) for (const record of records) queued.push(record);
    else this.pending.topicMessages.set(topic, records.slice());
    return new Promise<void>((resolve, reject) => this.pending!.waiters.push({ resolve, reject }));
  }

  private flush(pending: PendingSend): void {
    if (this.pending === pending) this.pending = undefined;
    const topicMessages: TopicMessages[] = [...pending.topicMessages].map(([topic, records]) => ({
      topic,
      messages: records.map((record) => ({ key: record.key, value: record.value, headers: record.headers })),
    }));
    this.producer.sendBatch({ topicMessages, acks: -1 }).then(
      () => { for (const waiter of pending.waiters) waiter.resolve(); },
      (error: unknown) => {
        const failure = toVigilError(`producing to ${[...pending.topicMessages.keys()].join(',')} failed`, error);
        for (const waiter of pending.waiters) waiter.reject(failure);
      },
    );
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: options.group,
      allowAutoTopicCreation: true,
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 1000,
      rebalanceTimeout: this.options.rebalanceTimeoutMs ?? 30_000,
      maxWaitTimeInMs: 250,
      retry: { retries: this.options.retries ?? 5, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    const subscription = new KafkajsSubscription(consumer, options, this.options.handlerRetryMs ?? 1000, this.logger,
      () => this.subscriptions.delete(subscription));
    try {
      await subscription.start(this.options.partitionsConsumedConcurrently ?? 4);
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw toVigilError(`cannot consume ${options.topic} in group ${options.group}`, error);
    }
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    if (this.pending) this.flush(this.pending);
    await this.producer.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'kafka producer disconnect failed'));
    this.connected = undefined;
  }
}

class KafkajsSubscription implements Subscription {
  private assigned: number[] = [];
  /**
   * Bumped on every join: a batch fetched in an older generation stops at its next record (kafkajs
   * may still be running it after the rejoin), so no partition has records in hand from two
   * generations' fetches at once, and nothing handled in an older generation is committed.
   */
  private generation = 0;
  /** Per partition: the record in hand, which a batch of a newer generation waits for. */
  private readonly inHand = new Map<number, Promise<void>>();
  /** Per partition: the offset after the last handled record. */
  private readonly handled = new Map<number, bigint>();
  private readonly committed = new Map<number, bigint>();
  private inFlight = 0;
  private idle: (() => void) | undefined;
  private closing = false;
  private committing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: SubscribeOptions,
    private readonly handlerRetryMs: number,
    private readonly logger: BusLogger,
    private readonly onClosed: () => void,
  ) {}

  async start(partitionsConsumedConcurrently: number): Promise<void> {
    const { consumer, options } = this;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const partitions = [...(event.payload.memberAssignment[options.topic] ?? [])].sort((a, b) => a - b);
      // Offsets of partitions now owned by others must never be committed from here again.
      for (const partition of this.handled.keys()) {
        if (!partitions.includes(partition)) {
          this.handled.delete(partition);
          this.committed.delete(partition);
        }
      }
      this.assigned = partitions;
      this.generation++;
      if (!this.closing) options.onAssignment?.(partitions);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.logger.error({ err: event.payload.error, group: options.group, topic: options.topic, restart: event.payload.restart },
        'kafka consumer crashed');
    });
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    const interval = options.commitIntervalMs ?? 5000;
    if (interval > 0) {
      this.timer = setInterval(() => { this.commit().catch(() => {}); }, interval);
      this.timer.unref();
    }
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const generation = this.generation;
    const current = (): boolean => !this.closing && generation === this.generation && this.assigned.includes(partition);
    await this.inHand.get(partition)?.catch(() => {});
    for (const message of batch.messages) {
      if (!current() || !isRunning() || isStale()) return;
      const record: IncomingRecord = {
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: headersOf(message),
        timestampMs: Number(message.timestamp),
      };
      this.inFlight++;
      let handled = false;
      const handling = (async () => {
        for (;;) {
          try {
            await this.options.handler(record);
            handled = true;
            return;
          } catch (error) {
            this.logger.error({ err: error, topic, partition, offset: message.offset }, 'record handler failed; handing the record over again');
            await sleep(this.handlerRetryMs);
            if (!current()) return;
            await heartbeat();
          }
        }
      })();
      this.inHand.set(partition, handling);
      try {
        await handling;
      } finally {
        if (this.inHand.get(partition) === handling) this.inHand.delete(partition);
        if (--this.inFlight === 0) this.idle?.();
      }
      // A partition revoked (or reassigned by a rejoin) while its record was in hand is not ours to
      // commit any more: the next owner starts from the committed offset.
      if (!handled || !current()) return;
      resolveOffset(message.offset);
      this.handled.set(partition, BigInt(message.offset) + 1n);
      await heartbeat();
    }
  }

  assignment(): number[] {
    return [...this.assigned];
  }

  commit(): Promise<void> {
    this.committing = this.committing.catch(() => {}).then(() => this.commitHandled());
    return this.committing;
  }

  private async commitHandled(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const [partition, handledUpTo] of this.handled) {
      let offset = handledUpTo;
      const retained = this.options.retainFrom?.(partition);
      if (retained !== undefined && BigInt(retained) < offset) offset = BigInt(retained);
      if (this.committed.get(partition) === offset) continue;
      offsets.push({ topic: this.options.topic, partition, offset: String(offset) });
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      this.logger.warn({ err: error, group: this.options.group, topic: this.options.topic }, 'committing offsets failed; will retry');
      throw toVigilError(`committing offsets of ${this.options.topic} in group ${this.options.group} failed`, error);
    }
    for (const { partition, offset } of offsets) this.committed.set(partition, BigInt(offset));
  }

  async close({ commit = true }: { commit?: boolean } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    if (this.inFlight > 0) await new Promise<void>((resolve) => { this.idle = resolve; });
    if (commit) await this.commit().catch(() => {});
    await this.consumer.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'kafka consumer disconnect failed'));
    this.assigned = [];
    this.onClosed();
  }
}
