/**
 * The queue of one channel: flushes wait here until the channel's token bucket and its backoff
 * allow a send. Failed sends are retried with exponential backoff and jitter, or after the
 * receiver's Retry-After when longer, until sent, refused for good, or older than the give-up age
 * — a 10-minute outage is waited out. While the channel is limited (a 429, a failure, an empty
 * bucket) what piles up is sent as one digest when it may send again, never dropped.
 *
 * The queue lives in memory; what makes it durable is the outbox topic: a flush's alerts stay
 * uncommitted until `onOutcome` wrote its DONE entry, so a crash replays them (see outbox-owner.ts).
 */
import type { Logger } from '../../src/runtime/logger.js';
import type { DeliveryResult } from './channels/channel.js';
import type { Delivery, RoutedChannel } from './channels/registry.js';
import { digestMessage } from './core/digest.js';
import { drain, fullBucket, take, waitMs, type TokenBucket } from './core/token-bucket.js';
import type { TimerHandle, Timers } from './timers.js';

export interface OutboxItem {
  readonly groupKey: string;
  readonly receiver: string;
  readonly channelIndex: number;
  /** Partition of the outbox topic the group lives in. */
  readonly partition: number;
  readonly flushAtMs: number;
  /** Fingerprints told. */
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  readonly delivery: Delivery;
  readonly queuedAtMs: number;
  attempts: number;
}

export interface Outcome {
  readonly status: 'SENT' | 'FAILED';
  /** No more attempts will be made (sent, refused, or given up). */
  readonly final: boolean;
  readonly error?: string;
}

export interface ChannelOutboxOptions {
  channel: RoutedChannel;
  timers: Timers;
  logger: Logger;
  retryBaseMs: number;
  giveUpMs: number;
  onOutcome(items: readonly OutboxItem[], outcome: Outcome): Promise<void>;
}

const MAX_RETRY_DELAY_MS = 30_000;
const MAX_RETRY_AFTER_MS = 300_000;

/** The delay before retry `attempt + 1`: exponential with jitter, or what the receiver asked for when longer. */
export function retryDelayMs(attempt: number, baseMs: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const backoff = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** (attempt - 1));
  const jittered = backoff / 2 + random() * (backoff / 2);
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(jittered, retryAfterMs ?? 0));
}

export function digestDelivery(items: readonly OutboxItem[]): Delivery {
  if (items.length === 1) return items[0]!.delivery;
  return { message: digestMessage(items.map((item) => item.delivery.message)), parts: items.flatMap((item) => item.delivery.parts) };
}

export class ChannelOutbox {
  private queue: OutboxItem[] = [];
  private bucket: TokenBucket;
  private blockedUntilMs = 0;
  private limited = false;
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly aborter = new AbortController();

  constructor(private readonly options: ChannelOutboxOptions) {
    this.bucket = fullBucket(options.channel.rateLimit, options.timers.now());
  }

  get channel(): RoutedChannel {
    return this.options.channel;
  }

  /** Items waiting or being sent. */
  pending(): readonly OutboxItem[] {
    return this.queue;
  }

  enqueue(item: OutboxItem): void {
    this.queue.push(item);
    this.kick();
  }

  /** Forgets the items of partitions this instance no longer owns (their new owner replays them). */
  drop(partitions: ReadonlySet<number>): void {
    this.queue = this.queue.filter((item) => !partitions.has(item.partition));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    this.aborter.abort();
    await this.running;
  }

  private kick(): void {
    if (this.closed || this.running || this.timer) return;
    this.running = this.run().catch((error: unknown) => this.options.logger.error({ err: error, channel: this.channel.name }, 'channel outbox failed')).finally(() => {
      this.running = undefined;
      if (this.queue.length > 0 && !this.timer) this.kick();
    });
  }

  private async run(): Promise<void> {
    const { timers, channel } = this.options;
    while (this.queue.length > 0 && !this.closed) {
      const nowMs = timers.now();
      const wait = Math.max(this.blockedUntilMs - nowMs, waitMs(this.bucket, nowMs));
      if (wait > 0) {
        this.limited = true;
        this.timer = timers.after(wait, () => { this.timer = undefined; this.kick(); });
        return;
      }
      this.bucket = take(this.bucket, nowMs);
      const batch = this.limited ? this.queue.slice() : this.queue.slice(0, 1);
      for (const item of batch) item.attempts += 1;
      let result: DeliveryResult;
      try {
        result = await channel.send(digestDelivery(batch), this.aborter.signal);
      } catch (error) {
        result = { ok: false, retry: true, error: error instanceof Error ? error.message : String(error) };
      }
      const inBatch = new Set(batch);
      if (result.ok) {
        this.queue = this.queue.filter((item) => !inBatch.has(item));
        this.limited = false;
        await this.options.onOutcome(batch, { status: 'SENT', final: true });
        continue;
      }
      const afterMs = timers.now();
      const givenUp = result.retry ? batch.filter((item) => afterMs - item.queuedAtMs >= this.options.giveUpMs) : batch;
      const retried = batch.filter((item) => !givenUp.includes(item));
      this.queue = this.queue.filter((item) => !givenUp.includes(item));
      this.options.logger.warn({ channel: channel.name, items: batch.length, retry: retried.length > 0, error: result.error }, 'notification delivery failed');
      if (givenUp.length > 0) await this.options.onOutcome(givenUp, { status: 'FAILED', final: true, error: result.error });
      if (retried.length > 0) {
        await this.options.onOutcome(retried, { status: 'FAILED', final: false, error: `attempt failed, retrying: ${result.error}` });
        const attempts = Math.max(...retried.map((item) => item.attempts));
        this.blockedUntilMs = afterMs + retryDelayMs(attempts, this.options.retryBaseMs, result.retryAfterMs);
        if (result.retryAfterMs !== undefined) this.bucket = drain(this.bucket, afterMs);
        this.limited = true;
      }
    }
  }
}
