/**
 * The detector group's state snapshots on the compacted topic detector.state (key
 * <group>/<partition>). Every detector instance reads the topic from the beginning, in a consumer
 * group of its own, and keeps the latest snapshot of each metrics.raw partition of its group.
 *
 * A new owner of a partition must see every snapshot its predecessors wrote before they let the
 * partition go. It writes a CLAIM with the same key (so the same detector.state partition, after
 * those snapshots) and waits until its reader reaches the claim: the snapshots read by then are
 * all there were. It then writes the snapshot it restored back, so the latest record of the key is
 * a snapshot again once the claim is compacted away.
 */
import { randomUUID } from 'node:crypto';
import type { Subscription } from '../../src/bus/bus.js';
import type { DetectorState } from '../../src/codec/records.generated.js';
import type { Logger } from '../../src/runtime/logger.js';
import type { RecordIo } from '../../src/runtime/record-io.js';
import { detectorStateFormat } from './core/detector-state.js';

export interface Snapshot {
  /** The metrics.raw offset the state continues from. */
  offset: number;
  format: string;
  state: Buffer;
}

export interface StateStore {
  /** The latest snapshot of the partition written before this call; undefined when there is none. */
  latest(partition: number): Promise<Snapshot | undefined>;
  /** Writes a snapshot; resolves when the broker acknowledged it. */
  write(partition: number, offset: number, state: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface StateStoreOptions {
  io: RecordIo;
  logger: Logger;
  clock: () => number;
  /** VIGIL_DETECTOR_GROUP: whose snapshots these are. */
  group: string;
  /** How long a claim may take to come back before the partition starts without a snapshot. */
  claimTimeoutMs: number;
}

export async function openStateStore(options: StateStoreOptions): Promise<StateStore> {
  const { io, logger, clock, group } = options;
  const snapshots = new Map<number, Snapshot>();
  const claims = new Map<string, () => void>();
  const key = (partition: number): string => `${group}/${partition}`;
  const publish = (partition: number, value: Omit<DetectorState, 'group' | 'partition' | 'producedAtMs'>): Promise<void> =>
    io.publish('detector.state', [{ key: key(partition), value: { group, partition, producedAtMs: clock(), ...value } }]);

  // A claim on no partition first: where topics are created on first use, the reader then finds the
  // topic at once instead of at its client's next metadata refresh (seconds).
  await publish(-1, { kind: 'CLAIM', offset: -1, claim: randomUUID(), format: '', state: Buffer.alloc(0) });
  const subscription: Subscription = await io.subscribe({
    topic: 'detector.state',
    // A group of its own: this instance reads every partition of the topic from the beginning.
    group: `${group}.state.${randomUUID()}`,
    handler: async (record) => {
      if (record.group !== group) return;
      if (record.kind === 'CLAIM') {
        claims.get(record.claim)?.();
        return;
      }
      const known = snapshots.get(record.partition);
      // Any snapshot at offset O is the state at O, whoever wrote it: the furthest one wins.
      if (!known || record.offset >= known.offset) snapshots.set(record.partition, { offset: record.offset, format: record.format, state: record.state });
    },
  });

  return {
    async latest(partition) {
      const claim = randomUUID();
      let timer: NodeJS.Timeout | undefined;
      const reached = new Promise<boolean>((resolve) => {
        claims.set(claim, () => resolve(true));
        timer = setTimeout(() => resolve(false), options.claimTimeoutMs);
      });
      try {
        await publish(partition, { kind: 'CLAIM', offset: -1, claim, format: '', state: Buffer.alloc(0) });
        if (!(await reached)) logger.warn({ partition, timeoutMs: options.claimTimeoutMs }, 'detector.state claim not read back in time: starting from the snapshots read so far');
      } finally {
        clearTimeout(timer);
        claims.delete(claim);
      }
      return snapshots.get(partition);
    },
    async write(partition, offset, state) {
      await publish(partition, { kind: 'SNAPSHOT', offset, claim: '', format: detectorStateFormat, state });
      const known = snapshots.get(partition);
      if (!known || offset >= known.offset) snapshots.set(partition, { offset, format: detectorStateFormat, state });
    },
    async close() {
      await subscription.close();
    },
  };
}
