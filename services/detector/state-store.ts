/**
 * The detector group's state snapshots on the compacted topic detector.state. Every detector
 * instance reads the topic from the beginning, in a consumer group of its own, and keeps the latest
 * complete snapshot of each metrics.raw partition of its group.
 *
 * A snapshot is written in parts, so no record exceeds the broker's max.message.bytes however many
 * series a partition holds: CHUNK records of at most `chunkBytes` of state each (key
 * <group>/<partition>/<slot>/<index>), then, once every chunk is acknowledged, one SNAPSHOT record
 * naming their generation and count (key <group>/<partition>). A snapshot is restored only when
 * every chunk of its generation was read, so a set cut short by a crash is never restored: its
 * SNAPSHOT was never written, and the previous one still names a complete set. Consecutive
 * snapshots of a partition alternate between two slots (a, b): the chunks the latest SNAPSHOT
 * names are not overwritten (nor compacted away) until a newer SNAPSHOT is complete.
 *
 * A new owner of a partition must see every snapshot its predecessors wrote before they let the
 * partition go. It writes a CLAIM with the SNAPSHOT key (so the same detector.state partition,
 * after those SNAPSHOTs) and waits until its reader reaches the claim: the SNAPSHOTs read by then
 * are all there were. Their chunks may sit on other partitions of the topic, written before them:
 * it waits for those too. It then writes the SNAPSHOT it restored again, so the latest record of
 * the key is a SNAPSHOT once the claim is compacted away.
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
  /** The written set it was read from: its generation, slot and chunk count (0: one inline record). */
  generation: string;
  slot: string;
  chunks: number;
}

export interface StateStore {
  /** The latest complete snapshot of the partition written before this call; undefined when there is none. */
  latest(partition: number): Promise<Snapshot | undefined>;
  /** Writes a snapshot (its chunks, then its SNAPSHOT record); resolves when the broker acknowledged all of it. */
  write(partition: number, offset: number, state: Buffer): Promise<void>;
  /** Writes the SNAPSHOT record of a snapshot read by latest() again (its chunks are still there), after a claim. */
  reaffirm(partition: number, snapshot: Snapshot): Promise<void>;
  close(): Promise<void>;
}

export interface StateStoreOptions {
  io: RecordIo;
  logger: Logger;
  clock: () => number;
  /** VIGIL_DETECTOR_GROUP: whose snapshots these are. */
  group: string;
  /** How long a claim (and the chunks of the snapshot it finds) may take to come back before the partition starts from what was read. */
  claimTimeoutMs: number;
  /** VIGIL_DETECTOR_SNAPSHOT_CHUNK_BYTES: state bytes per CHUNK record at most. */
  chunkBytes: number;
}

/** A SNAPSHOT record read whose chunks have not all been read yet. */
type Manifest = Omit<Snapshot, 'state'>;

/** What the reader knows of one metrics.raw partition. */
interface PartitionStates {
  /** The latest snapshot whose chunks were all read. */
  complete: Snapshot | undefined;
  /** The latest SNAPSHOT record read, while its chunks are still missing. */
  pending: Manifest | undefined;
  /** Chunks read by generation, until a snapshot at or after their offset is complete. */
  chunks: Map<string, { offset: number; parts: Map<number, Buffer> }>;
  /** The slot of the latest SNAPSHOT read or written: the next snapshot goes to the other one. */
  slot: string;
}

export async function openStateStore(options: StateStoreOptions): Promise<StateStore> {
  const { io, logger, clock, group } = options;
  const partitions = new Map<number, PartitionStates>();
  const claims = new Map<string, () => void>();
  /** Called whenever a partition's complete snapshot changes (a latest() waiting for chunks looks again). */
  const completed = new Set<() => void>();
  const snapshotKey = (partition: number): string => `${group}/${partition}`;
  const empty = { claim: '', format: '', state: Buffer.alloc(0), generation: '', slot: '', chunk: 0, chunks: 0 };
  const publish = (key: string, partition: number, value: Partial<DetectorState> & Pick<DetectorState, 'kind' | 'offset'>): Promise<void> =>
    io.publish('detector.state', [{ key, value: { ...empty, ...value, group, partition, producedAtMs: clock() } }]);

  const statesOf = (partition: number): PartitionStates => {
    let states = partitions.get(partition);
    if (!states) {
      states = { complete: undefined, pending: undefined, chunks: new Map(), slot: '' };
      partitions.set(partition, states);
    }
    return states;
  };

  /** Makes the pending snapshot complete when its chunks are all there, and forgets chunks older than the complete one. */
  const settle = (states: PartitionStates): void => {
    const manifest = states.pending;
    if (manifest) {
      const set = states.chunks.get(manifest.generation);
      if (set && set.offset === manifest.offset && set.parts.size >= manifest.chunks) {
        const parts: Buffer[] = [];
        for (let index = 0; index < manifest.chunks; index++) {
          const part = set.parts.get(index);
          if (part) parts.push(part);
        }
        if (parts.length === manifest.chunks) {
          states.complete = { ...manifest, state: Buffer.concat(parts) };
          states.pending = undefined;
          for (const notify of completed) notify();
        }
      }
    }
    const complete = states.complete;
    if (!complete) return;
    for (const [generation, set] of states.chunks) {
      if (set.offset < complete.offset || generation === complete.generation) states.chunks.delete(generation);
    }
  };

  const read = (record: DetectorState): void => {
    const states = statesOf(record.partition);
    const complete = states.complete;
    if (record.kind === 'CHUNK') {
      if (complete && (record.offset < complete.offset || record.generation === complete.generation)) return;
      let set = states.chunks.get(record.generation);
      if (!set) {
        set = { offset: record.offset, parts: new Map() };
        states.chunks.set(record.generation, set);
      }
      set.parts.set(record.chunk, record.state);
      settle(states);
      return;
    }
    // Any snapshot at offset O is the state at O, whoever wrote it: the furthest one wins. The
    // complete one written again (after a claim) or read back after writing it is already known.
    if (complete && (record.offset < complete.offset || (record.chunks > 0 && record.generation === complete.generation))) return;
    if (states.pending && record.offset < states.pending.offset) return;
    states.slot = record.slot;
    const manifest: Manifest = { offset: record.offset, format: record.format, generation: record.generation, slot: record.slot, chunks: record.chunks };
    if (record.chunks === 0) {
      // One record holding the whole state (as version 1 wrote it).
      states.complete = { ...manifest, state: record.state };
      states.pending = undefined;
      for (const notify of completed) notify();
    } else {
      states.pending = manifest;
    }
    settle(states);
  };

  // A claim on no partition first: where topics are created on first use, the reader then finds the
  // topic at once instead of at its client's next metadata refresh (seconds).
  await publish(snapshotKey(-1), -1, { kind: 'CLAIM', offset: -1, claim: randomUUID() });
  const subscription: Subscription = await io.subscribe({
    topic: 'detector.state',
    // A group of its own: this instance reads every partition of the topic from the beginning.
    group: `${group}.state.${randomUUID()}`,
    handler: async (record) => {
      if (record.group !== group) return;
      if (record.kind === 'CLAIM') claims.get(record.claim)?.();
      else read(record);
    },
  });

  /** Resolves true once `ready()` holds (checked whenever a snapshot completes), false at the deadline. */
  const until = (ready: () => boolean, deadlineMs: number): Promise<boolean> => new Promise((resolve) => {
    if (ready()) {
      resolve(true);
      return;
    }
    const check = (): void => {
      if (!ready()) return;
      finish(true);
    };
    const timer = setTimeout(() => finish(false), Math.max(0, deadlineMs - clock()));
    const finish = (reached: boolean): void => {
      clearTimeout(timer);
      completed.delete(check);
      resolve(reached);
    };
    completed.add(check);
  });

  const store: StateStore = {
    async latest(partition) {
      const deadlineMs = clock() + options.claimTimeoutMs;
      const claim = randomUUID();
      let timer: NodeJS.Timeout | undefined;
      const reached = new Promise<boolean>((resolve) => {
        claims.set(claim, () => resolve(true));
        timer = setTimeout(() => resolve(false), options.claimTimeoutMs);
      });
      try {
        await publish(snapshotKey(partition), partition, { kind: 'CLAIM', offset: -1, claim });
        if (!(await reached)) logger.warn({ partition, timeoutMs: options.claimTimeoutMs }, 'detector.state claim not read back in time: starting from the snapshots read so far');
      } finally {
        clearTimeout(timer);
        claims.delete(claim);
      }
      const states = statesOf(partition);
      // The latest SNAPSHOT's chunks were acknowledged before it was written: they come, unless lost.
      if (states.pending && !(await until(() => states.pending === undefined, deadlineMs))) {
        const { offset, generation, chunks } = states.pending;
        logger.warn({ partition, offset, generation, chunks, fallbackOffset: states.complete?.offset }, 'the chunks of the latest detector.state snapshot were not all read in time: falling back to the previous complete snapshot');
      }
      return states.complete;
    },
    async write(partition, offset, state) {
      const states = statesOf(partition);
      const slot = states.slot === 'a' ? 'b' : 'a';
      const generation = randomUUID();
      const chunks = Math.max(1, Math.ceil(state.length / options.chunkBytes));
      // One by one: records produced together may travel in one batch, which the broker limits as one message.
      for (let chunk = 0; chunk < chunks; chunk++) {
        const part = state.subarray(chunk * options.chunkBytes, (chunk + 1) * options.chunkBytes);
        await publish(`${snapshotKey(partition)}/${slot}/${chunk}`, partition, { kind: 'CHUNK', offset, format: detectorStateFormat, state: part, generation, slot, chunk });
      }
      await publish(snapshotKey(partition), partition, { kind: 'SNAPSHOT', offset, format: detectorStateFormat, generation, slot, chunks });
      if (!states.complete || offset >= states.complete.offset) {
        states.complete = { offset, format: detectorStateFormat, state, generation, slot, chunks };
        if (states.pending && states.pending.offset <= offset) states.pending = undefined;
        states.slot = slot;
        settle(states);
      }
    },
    async reaffirm(partition, snapshot) {
      if (snapshot.chunks === 0) {
        await store.write(partition, snapshot.offset, snapshot.state);
        return;
      }
      const { offset, format, generation, slot, chunks } = snapshot;
      await publish(snapshotKey(partition), partition, { kind: 'SNAPSHOT', offset, format, generation, slot, chunks });
    },
    async close() {
      await subscription.close();
    },
  };
  return store;
}
