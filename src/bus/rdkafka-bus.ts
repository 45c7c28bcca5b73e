/**
 * The bus on Kafka through node-rdkafka (librdkafka): the high-throughput option, same semantics as
 * the kafkajs bus.
 *
 * Producer: acks=all, idempotent, `murmur2_random` partitioner (keys map as with the Java client);
 * produce() resolves when every record's delivery report came back. Consumer: one KafkaConsumer per
 * subscription with auto-commit off, fed by a `consume(n)` loop that stops fetching while too many
 * records wait (backpressure) and ends cleanly on close. Records go to one queue per partition,
 * handled one at a time in order, partitions concurrently. On revoke the handled offsets are
 * committed before the partitions are given up.
 */
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as Rdkafka from 'node-rdkafka';
import { VigilError } from '../errors.js';
import { librdkafkaSecurityProperties, type KafkaSecurity } from './kafka-security.js';
import {
  silentLogger, type Bus, type BusLogger, type Headers, type IncomingRecord, type OutgoingRecord, type SubscribeOptions,
  type Subscription,
} from './bus.js';

const require = createRequire(import.meta.url);

/** Loaded on first use, so the memory and kafkajs buses work where the native module does not. */
function rdkafka(): typeof Rdkafka {
  return require('node-rdkafka') as typeof Rdkafka;
}

export interface RdkafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger?: BusLogger;
  /** Pause before handing a record whose handler rejected to the handler again. Default 1000. */
  handlerRetryMs?: number;
  /** How long connect() waits for the broker before it rejects. Default 10000. */
  connectTimeoutMs?: number;
  /** Records fetched per consume() call. Default 500. */
  consumeBatchSize?: number;
  /** Records waiting for handlers above which fetching pauses. Default 2000. */
  maxQueuedRecords?: number;
  /** Extra librdkafka properties for producer and consumers, e.g. session.timeout.ms. */
  librdkafka?: Record<string, string | number | boolean>;
  /** SASL and TLS (kafka-security.ts); default plaintext. */
  security?: KafkaSecurity;
}

function toVigilError(action: string, error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  return new VigilError('VIGIL_BUS', `${action}: ${(error as Error)?.message ?? String(error)}`, { cause: error, retriable: true });
}

function headersOf(message: Rdkafka.Message): Headers {
  const headers: Headers = {};
  for (const header of message.headers ?? []) {
    for (const [name, value] of Object.entries(header)) headers[name] = value.toString();
  }
  return headers;
}

interface Delivery {
  remaining: number;
  failed: unknown;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class RdkafkaBus implements Bus {
  readonly kind = 'rdkafka' as const;
  private readonly logger: BusLogger;
  private readonly subscriptions = new Set<RdkafkaSubscription>();
  private producer: Rdkafka.Producer | undefined;
  private connecting: Promise<Rdkafka.Producer> | undefined;
  /** Records produced whose delivery report has not come back yet. */
  private outstanding = 0;
  private polling = false;

  constructor(private readonly options: RdkafkaBusOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async connect(): Promise<void> {
    await this.connectProducer();
  }

  private connectProducer(): Promise<Rdkafka.Producer> {
    this.connecting ??= new Promise<Rdkafka.Producer>((resolve, reject) => {
      const Kafka = rdkafka();
      const producer = new Kafka.Producer({
        'bootstrap.servers': this.options.brokers.join(','),
        'client.id': this.options.clientId,
        'enable.idempotence': true,
        acks: -1,
        'linger.ms': 2,
        'message.timeout.ms': 30_000,
        dr_cb: true,
        ...librdkafkaSecurityProperties(this.options.security ?? {}),
        ...this.options.librdkafka,
      } as Rdkafka.ProducerGlobalConfig, {
        // A topic property: node-rdkafka builds each topic handle from this config, not the global one.
        partitioner: 'murmur2_random',
      });
      producer.on('delivery-report', (error, report) => {
        this.outstanding--;
        const delivery = report.opaque as Delivery;
        if (error) delivery.failed ??= error;
        if (--delivery.remaining === 0) {
          if (delivery.failed) delivery.reject(toVigilError(`producing to ${report.topic} failed`, delivery.failed));
          else delivery.resolve();
        }
      });
      producer.on('event.error', (error) => this.logger.warn({ err: error }, 'rdkafka producer error'));
      producer.connect({ timeout: this.options.connectTimeoutMs ?? 10_000 }, (error) => {
        if (error) {
          // node-rdkafka has already torn the failed client down.
          reject(toVigilError(`cannot connect to Kafka at ${this.options.brokers.join(',')}`, error));
          return;
        }
        // A safety net: produce() polls eagerly while delivery reports are due.
        producer.setPollInterval(100);
        this.producer = producer;
        resolve(producer);
      });
    }).catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async produce(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.connectProducer();
    await new Promise<void>((resolve, reject) => {
      const delivery: Delivery = { remaining: records.length, failed: undefined, resolve, reject };
      const sendFrom = (first: number): void => {
        for (let i = first; i < records.length; i++) {
          const record = records[i]!;
          const headers = record.headers ? Object.entries(record.headers).map(([name, value]) => ({ [name]: value })) : undefined;
          try {
            producer.produce(topic, null, record.value, record.key, Date.now(), delivery, headers);
            this.outstanding++;
          } catch (error) {
            if ((error as { code?: number }).code === rdkafka().CODES.ERRORS.ERR__QUEUE_FULL) {
              // librdkafka's queue is full: let delivery reports drain it, then go on.
              this.pollWhileOutstanding();
              setTimeout(() => sendFrom(i), 5);
              return;
            }
            delivery.remaining -= records.length - i;
            delivery.failed ??= error;
            if (delivery.remaining === 0) reject(toVigilError(`producing to ${topic} failed`, error));
            return;
          }
        }
        this.pollWhileOutstanding();
      };
      sendFrom(0);
    });
  }

  /** Polls for delivery reports every millisecond while any are due, so produce() resolves promptly. */
  private pollWhileOutstanding(): void {
    if (this.polling) return;
    this.polling = true;
    const poll = (): void => {
      if (this.outstanding <= 0 || !this.producer?.isConnected()) {
        this.polling = false;
        return;
      }
      this.producer.poll();
      setTimeout(poll, 1);
    };
    setTimeout(poll, 1);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const subscription = new RdkafkaSubscription(this.options, options, this.logger, () => this.subscriptions.delete(subscription));
    await subscription.start();
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    const producer = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    if (!producer) return;
    await new Promise<void>((resolve) => producer.flush(10_000, () => resolve()));
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  }
}

/** Records of one partition waiting for the handler, and the handled position. */
interface PartitionQueue {
  records: Rdkafka.Message[];
  running: boolean;
  /** Offset after the last handled record. */
  handledUpTo: bigint | undefined;
  committed: bigint | undefined;
  /** False once revoked: queued records are dropped, the new owner gets them from the committed offset. */
  owned: boolean;
}

class RdkafkaSubscription implements Subscription {
  private readonly consumer: Rdkafka.KafkaConsumer;
  private readonly partitions = new Map<number, PartitionQueue>();
  private queued = 0;
  private inFlight = 0;
  private closing = false;
  private loop: Promise<void> = Promise.resolve();
  private wakeLoop: (() => void) | undefined;
  private idle: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private revoking: Promise<void> = Promise.resolve();
  /** Settles when the consume(n) call in progress returns. */
  private fetching: Promise<void> = Promise.resolve();
  private readonly handlerRetryMs: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;

  constructor(
    private readonly busOptions: RdkafkaBusOptions,
    private readonly options: SubscribeOptions,
    private readonly logger: BusLogger,
    private readonly onClosed: () => void,
  ) {
    this.handlerRetryMs = busOptions.handlerRetryMs ?? 1000;
    this.batchSize = busOptions.consumeBatchSize ?? 500;
    this.maxQueued = busOptions.maxQueuedRecords ?? 2000;
    const Kafka = rdkafka();
    const self = this;
    this.consumer = new Kafka.KafkaConsumer({
      'bootstrap.servers': busOptions.brokers.join(','),
      'client.id': busOptions.clientId,
      'group.id': options.group,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'partition.assignment.strategy': 'roundrobin',
      'session.timeout.ms': 10_000,
      'heartbeat.interval.ms': 1000,
      'fetch.wait.max.ms': 100,
      // Notice a subscribed topic created after the subscription (e.g. a DLQ) within seconds, not minutes.
      'topic.metadata.refresh.interval.ms': 10_000,
      'allow.auto.create.topics': true,
      rebalance_cb(this: Rdkafka.KafkaConsumer, error: Rdkafka.LibrdKafkaError, assignment: Rdkafka.Assignment[]) {
        self.onRebalance(error, assignment);
      },
      ...librdkafkaSecurityProperties(busOptions.security ?? {}),
      ...busOptions.librdkafka,
    } as Rdkafka.ConsumerGlobalConfig, { 'auto.offset.reset': options.fromBeginning === false ? 'latest' : 'earliest' });
    this.consumer.on('event.error', (error) => this.logger.warn({ err: error, group: options.group }, 'rdkafka consumer error'));
  }

  async start(): Promise<void> {
    const { consumer, options } = this;
    await new Promise<void>((resolve, reject) => {
      consumer.connect({ timeout: this.busOptions.connectTimeoutMs ?? 10_000 }, (error) => {
        if (error) reject(toVigilError(`cannot consume ${options.topic} in group ${options.group}`, error));
        else resolve();
      });
    });
    // consume(n) returns once a single fetch waits this long: short, so a batch is handed over promptly.
    consumer.setDefaultConsumeTimeout(20);
    consumer.subscribe([options.topic]);
    this.loop = this.consumeLoop();
    const interval = options.commitIntervalMs ?? 5000;
    if (interval > 0) {
      this.timer = setInterval(() => { this.commit().catch(() => {}); }, interval);
      this.timer.unref();
    }
  }

  private onRebalance(error: Rdkafka.LibrdKafkaError, assignment: Rdkafka.Assignment[]): void {
    const { ERR__ASSIGN_PARTITIONS, ERR__REVOKE_PARTITIONS } = rdkafka().CODES.ERRORS;
    if (error.code === ERR__ASSIGN_PARTITIONS) {
      // Assign only after a preceding revoke finished committing, and once the consume(n) call in
      // progress returned: it may hold records fetched before the revoke, from offsets past what was
      // committed, which must not land in the new queues ahead of the records from the committed offset.
      this.revoking = this.revoking.then(() => this.fetching).then(() => {
        if (!this.consumer.isConnected()) return;
        for (const { partition } of assignment) {
          this.partitions.set(partition, { records: [], running: false, handledUpTo: undefined, committed: undefined, owned: true });
        }
        this.consumer.assign(assignment);
        if (!this.closing) this.options.onAssignment?.(this.assignment());
      });
    } else if (error.code === ERR__REVOKE_PARTITIONS) {
      this.revoking = this.revoking.then(async () => {
        for (const queue of this.partitions.values()) {
          queue.owned = false;
          this.queued -= queue.records.length;
          queue.records = [];
        }
        this.wakeLoop?.();
        await this.whenIdle();
        try {
          // close() commits (or, as a crash, does not) before it disconnects.
          if (!this.closing) this.commitSync();
        } catch (failure) {
          // The records handled since the last commit go to the next owner again: at-least-once.
          this.logger.warn({ err: failure, group: this.options.group, topic: this.options.topic }, 'committing revoked partitions failed');
        }
        this.partitions.clear();
        if (this.consumer.isConnected()) this.consumer.unassign();
        if (!this.closing) this.options.onAssignment?.([]);
      }).catch((failure: unknown) => this.logger.error({ err: failure, group: this.options.group }, 'rdkafka revoke failed'));
    } else {
      this.logger.error({ err: error, group: this.options.group }, 'rdkafka rebalance error');
    }
  }

  private async consumeLoop(): Promise<void> {
    while (!this.closing) {
      if (this.queued >= this.maxQueued) {
        await new Promise<void>((resolve) => { this.wakeLoop = resolve; });
        this.wakeLoop = undefined;
        continue;
      }
      this.fetching = this.fetchAndQueue();
      await this.fetching;
    }
  }

  /** One consume(n) call; its records go to the queues of the partitions owned when it returns. */
  private async fetchAndQueue(): Promise<void> {
    const messages = await new Promise<Rdkafka.Message[]>((resolve) => {
      this.consumer.consume(this.batchSize, (error, batch) => {
        if (error) {
          this.logger.debug({ err: error, group: this.options.group }, 'rdkafka consume failed');
          setTimeout(() => resolve([]), 100);
        } else resolve(batch);
      });
    });
    for (const message of messages) {
      const queue = this.partitions.get(message.partition);
      if (!queue?.owned || this.closing) continue;
      queue.records.push(message);
      this.queued++;
      if (!queue.running) void this.drain(message.partition, queue);
    }
  }

  /** Hands a partition's queued records to the handler, one at a time. */
  private async drain(partition: number, queue: PartitionQueue): Promise<void> {
    queue.running = true;
    this.inFlight++;
    try {
      while (queue.owned && queue.records.length > 0) {
        const message = queue.records.shift()!;
        this.queued--;
        if (this.queued < this.maxQueued / 2) this.wakeLoop?.();
        const record: IncomingRecord = {
          topic: message.topic,
          partition,
          offset: String(message.offset),
          key: message.key === undefined || message.key === null ? null : Buffer.isBuffer(message.key) ? message.key : Buffer.from(message.key),
          value: message.value,
          headers: headersOf(message),
          timestampMs: message.timestamp ?? Date.now(),
        };
        for (;;) {
          try {
            await this.options.handler(record);
            break;
          } catch (error) {
            this.logger.error({ err: error, topic: record.topic, partition, offset: record.offset }, 'record handler failed; handing the record over again');
            await sleep(this.handlerRetryMs);
            if (!queue.owned) return;
          }
        }
        queue.handledUpTo = BigInt(message.offset) + 1n;
      }
    } finally {
      queue.running = false;
      if (--this.inFlight === 0) this.idle?.();
    }
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const previous = this.idle;
      this.idle = () => { this.idle = undefined; previous?.(); resolve(); };
    });
  }

  assignment(): number[] {
    return [...this.partitions].filter(([, queue]) => queue.owned).map(([partition]) => partition).sort((a, b) => a - b);
  }

  private offsetsToCommit(): Rdkafka.TopicPartitionOffset[] {
    const offsets: Rdkafka.TopicPartitionOffset[] = [];
    for (const [partition, queue] of this.partitions) {
      if (queue.handledUpTo === undefined) continue;
      let offset = queue.handledUpTo;
      const retained = this.options.retainFrom?.(partition);
      if (retained !== undefined && BigInt(retained) < offset) offset = BigInt(retained);
      if (queue.committed === offset) continue;
      queue.committed = offset;
      offsets.push({ topic: this.options.topic, partition, offset: Number(offset) });
    }
    return offsets;
  }

  private commitSync(): void {
    const offsets = this.offsetsToCommit();
    if (offsets.length === 0 || !this.consumer.isConnected()) return;
    try {
      this.consumer.commitSync(offsets);
    } catch (error) {
      for (const { partition } of offsets) { const queue = this.partitions.get(partition); if (queue) queue.committed = undefined; }
      throw toVigilError(`committing offsets of ${this.options.topic} in group ${this.options.group} failed`, error);
    }
  }

  async commit(): Promise<void> {
    try {
      this.commitSync();
    } catch (error) {
      this.logger.warn({ err: error, group: this.options.group, topic: this.options.topic }, 'committing offsets failed; will retry');
      throw error;
    }
  }

  async close({ commit = true }: { commit?: boolean } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    for (const queue of this.partitions.values()) {
      this.queued -= queue.records.length;
      queue.records = [];
    }
    this.wakeLoop?.();
    await this.loop;
    await this.whenIdle();
    if (commit) await this.commit().catch(() => {});
    await this.revoking;
    await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
    this.partitions.clear();
    this.onClosed();
  }
}
