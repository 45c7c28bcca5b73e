/**
 * What every service consumes through: decode each record, hand it to the service's handler, retry
 * a failing handler a bounded number of times, and set aside what cannot be decoded or processed in
 * `<topic>.dlq` as a DeadLetter record, so one bad record never stops a partition.
 *
 * Offsets are committed only after the handler resolved, and the handler resolves only after its
 * outputs were acknowledged: at-least-once, end to end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterCodec } from '../codec/codecs.js';
import type { DeadLetter } from '../codec/records.generated.js';
import { VigilError, errorCodeOf, type ErrorCode } from '../errors.js';
import { deadLetterTopic } from './topic-settings.js';
import { silentLogger, type Bus, type BusLogger, type IncomingRecord, type SubscribeOptions, type Subscription } from './bus.js';

/** Counters the runtime wires to Prometheus; every hook is optional. */
export interface ConsumeMetrics {
  /** A record arrived (before decoding). */
  recordIn?(topic: string): void;
  /** A record was set aside in `<topic>.dlq`. */
  deadLettered?(topic: string, errorCode: ErrorCode): void;
  /** The handler finished a record (successfully or not), after `seconds`. */
  handlerSeconds?(topic: string, seconds: number): void;
}

export interface ConsumeOptions<T> {
  bus: Bus;
  topic: string;
  group: string;
  /**
   * Turns the record value into the service's record (a promise when it must look something up,
   * e.g. a schema id); throws VIGIL_DECODE for bytes it cannot read (the record goes to the DLQ)
   * and VIGIL_BUS when what it needs is unreachable (the record is handed over again later).
   */
  decode: (value: Buffer) => T | Promise<T>;
  /** Writes a dead letter's value. Default: single-object encoding. */
  encodeDeadLetter?: (letter: DeadLetter) => Buffer;
  /** Processes one record; resolves once its outputs are acknowledged. */
  handler: (value: T, record: IncomingRecord) => Promise<void>;
  /** Service name written into dead letters, e.g. "detector". */
  service: string;
  /** Attempts before a failing record goes to the DLQ. Default 5. */
  maxAttempts?: number;
  /** Pause after the first failed attempt, doubled after each further one (capped at 30 s). Default 200. */
  retryBackoffMs?: number;
  retainFrom?: SubscribeOptions['retainFrom'];
  fromBeginning?: SubscribeOptions['fromBeginning'];
  onAssignment?: SubscribeOptions['onAssignment'];
  commitIntervalMs?: SubscribeOptions['commitIntervalMs'];
  metrics?: ConsumeMetrics;
  logger?: BusLogger;
}

const MAX_BACKOFF_MS = 30_000;

/** Subscribes `handler` to `topic` in `group`; close the returned subscription to stop. */
export function consume<T>(options: ConsumeOptions<T>): Promise<Subscription> {
  const { bus, topic, group, decode, handler, service, metrics = {}, logger = silentLogger } = options;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const retryBackoffMs = options.retryBackoffMs ?? 200;
  const encodeDeadLetter = options.encodeDeadLetter ?? ((letter: DeadLetter) => deadLetterCodec().encode(letter));
  const serviceName = `${service}/${group}`;

  async function setAside(record: IncomingRecord, errorCode: ErrorCode, error: unknown, attempts: number): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ topic, partition: record.partition, offset: record.offset, errorCode, attempts, err: error },
      `record set aside in ${deadLetterTopic(topic)}`);
    const letter: DeadLetter = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      value: record.value,
      headers: record.headers,
      errorCode,
      error: message,
      attempts,
      service: serviceName,
      timestampMs: Date.now(),
    };
    // Throws VIGIL_BUS when the broker is unreachable: the bus then hands the record over again.
    await bus.produce(deadLetterTopic(topic), [{ key: record.key?.toString('utf8') ?? '', value: encodeDeadLetter(letter) }]);
    metrics.deadLettered?.(topic, errorCode);
  }

  async function handle(record: IncomingRecord): Promise<void> {
    metrics.recordIn?.(topic);
    let value: T;
    try {
      if (record.value === null) throw new VigilError('VIGIL_DECODE', 'record has no value (tombstone)');
      const decoded = decode(record.value);
      value = decoded instanceof Promise ? await decoded : decoded;
    } catch (error) {
      // Not the record's fault (e.g. the schema registry is down): the bus hands it over again.
      if (error instanceof VigilError && error.code === 'VIGIL_BUS') throw error;
      await setAside(record, 'VIGIL_DECODE', error, 1);
      return;
    }

    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await handler(value, record);
        metrics.handlerSeconds?.(topic, (performance.now() - started) / 1000);
        return;
      } catch (error) {
        metrics.handlerSeconds?.(topic, (performance.now() - started) / 1000);
        // The bus failing (e.g. outputs not acknowledged) is not the record's fault: never dead-letter
        // for it; the bus redelivers the record after a pause.
        if (error instanceof VigilError && error.code === 'VIGIL_BUS') throw error;
        const retriable = !(error instanceof VigilError) || error.retriable;
        if (!retriable || attempt >= maxAttempts) {
          await setAside(record, errorCodeOf(error, 'VIGIL_HANDLER'), error, attempt);
          return;
        }
        logger.warn({ topic, partition: record.partition, offset: record.offset, attempt, err: error }, 'record handler failed; retrying');
        await sleep(Math.min(MAX_BACKOFF_MS, retryBackoffMs * 2 ** (attempt - 1)));
      }
    }
  }

  return bus.subscribe({
    topic,
    group,
    handler: handle,
    retainFrom: options.retainFrom,
    fromBeginning: options.fromBeginning,
    onAssignment: options.onAssignment,
    commitIntervalMs: options.commitIntervalMs,
  });
}
