/**
 * The one interface every service talks to Kafka through. Three implementations (memory, kafkajs,
 * node-rdkafka) pass the same conformance suite (src/bus/conformance.ts), so code above behaves
 * the same on each.
 *
 * Delivery is at-least-once: a consumer's position is committed only up to records whose handler
 * finished (and whose outputs were acknowledged), so a consumer that stops without committing gets
 * its records again.
 */

export type Headers = Record<string, string>;

/** A record to produce. Records with the same key land in the same partition, in order. */
export interface OutgoingRecord {
  key: string;
  value: Buffer;
  headers?: Headers;
}

/** A record as consumed. */
export interface IncomingRecord {
  topic: string;
  partition: number;
  /** Kafka offset as a decimal string (offsets exceed 2^53). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  /** Broker/producer timestamp, milliseconds since the epoch. */
  timestampMs: number;
}

/**
 * Called once per record, in partition order, one record at a time per partition. Resolving marks
 * the record done (committable). Rejecting never skips the record: the bus logs the error, waits
 * and hands the same record to the handler again.
 */
export type RecordHandler = (record: IncomingRecord) => Promise<void>;

export interface SubscribeOptions {
  /**
   * Consumer group: members of one group split the topic's partitions. Use one group per topic:
   * Kafka's assignors split the union of a group's topics, so sharing a group across topics starves members.
   */
  group: string;
  topic: string;
  handler: RecordHandler;
  /** Where a group with no committed offset starts. Default: earliest. */
  fromBeginning?: boolean;
  /**
   * Caps what is committed for a partition: the handler's owner may still need records from this
   * offset on (e.g. to rebuild windows after a restart). Returns undefined when nothing is retained.
   */
  retainFrom?: (partition: number) => string | undefined;
  /**
   * Called with this member's whole assignment after every rebalance that changed it, before any
   * record of a newly assigned partition reaches the handler. A record of a revoked partition may
   * still be in the handler when it is called (kafkajs); no record of it is committed from here after.
   */
  onAssignment?: (partitions: number[]) => void;
  /** How often finished records are committed in the background; 0 commits only on commit()/close(). Default 5000. */
  commitIntervalMs?: number;
}

export interface Subscription {
  /** Partitions currently assigned to this member. */
  assignment(): number[];
  /** Commit what the handler has finished. Also done periodically and on close. */
  commit(): Promise<void>;
  /**
   * Leave the group. `commit: false` simulates a crash: nothing more is committed, so the records
   * handled since the last commit are delivered again to whoever takes the partitions over.
   */
  close(options?: { commit?: boolean }): Promise<void>;
}

/** The slice of a pino logger the bus uses (pino's `logger.warn(obj, msg)` form). */
export interface BusLogger {
  debug(context: object, message: string): void;
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

export const silentLogger: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Bus {
  readonly kind: 'memory' | 'kafka' | 'rdkafka';
  /** Connects the producer side; rejects while the broker is unreachable (callers retry). */
  connect(): Promise<void>;
  /** Resolves when every record is acknowledged by the broker. */
  produce(topic: string, records: OutgoingRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Closes every subscription (committing) and the producer. */
  close(): Promise<void>;
}
