/**
 * Silences shared by every notifier instance through the bus: each create or expire is written to
 * notifier.silences (key = silence id; compactable, the newest version of an id wins) and every
 * instance reads the whole topic in a consumer group of its own, so all hold the same silences and
 * a restart reads them back. `ready` resolves once the topic was read up to where it ended at
 * start: the instance writes a marker to each partition and waits until it has read them all.
 */
import { randomUUID } from 'node:crypto';
import { partitionForKey } from '../../src/bus/murmur2.js';
import type { Subscription } from '../../src/bus/bus.js';
import type { SilenceRecord } from '../../src/codec/records.generated.js';
import type { Logger } from '../../src/runtime/logger.js';
import type { RecordIo } from '../../src/runtime/record-io.js';
import { formatMatcher, parseMatcher, type Matcher } from './core/routing/matchers.js';
import { collectExpiredSilences, createSilence, emptySilences, expireSilence, silenceStatus, type Silence, type SilenceInput, type SilenceResult, type SilenceState } from './core/routing/silence.js';

/** Expired silences stay listed this long (Alertmanager's default retention, 120h). */
const EXPIRED_RETENTION_MS = 120 * 3_600_000;

export interface SilenceStore {
  /** Resolves once the silences written before start have been read. */
  readonly ready: Promise<void>;
  state(): SilenceState;
  create(input: SilenceInput): Promise<SilenceResult>;
  /** Expires a silence; an already expired one is returned as it is. */
  expire(id: string): Promise<SilenceResult>;
  close(): Promise<void>;
}

export function silenceToRecord(silence: Silence): SilenceRecord {
  return {
    id: silence.id,
    matchers: silence.matchers.map(formatMatcher),
    startsAtMs: silence.startsAtMs,
    endsAtMs: silence.endsAtMs,
    createdBy: silence.createdBy,
    comment: silence.comment,
    updatedAtMs: silence.updatedAtMs,
    sync: null,
  };
}

function silenceFromRecord(record: SilenceRecord): Silence | undefined {
  const matchers: Matcher[] = [];
  for (const text of record.matchers) {
    const parsed = parseMatcher(text);
    if (typeof parsed === 'string') return undefined;
    matchers.push(parsed);
  }
  return { id: record.id, matchers, startsAtMs: record.startsAtMs, endsAtMs: record.endsAtMs, createdBy: record.createdBy, comment: record.comment, updatedAtMs: record.updatedAtMs };
}

/** A key that lands in `partition` of `partitions` (the buses all partition keys by murmur2). */
export function keyForPartition(prefix: string, partition: number, partitions: number): string {
  for (let attempt = 0; ; attempt++) {
    const key = `${prefix}:${attempt}`;
    if (partitionForKey(Buffer.from(key), partitions) === partition) return key;
  }
}

export async function openSilenceStore(io: RecordIo, options: { group: string; clock: () => number; logger: Logger }): Promise<SilenceStore> {
  const { clock, logger } = options;
  const nonce = randomUUID();
  let state: SilenceState = emptySilences;
  let waiting: Set<number> | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });

  const apply = (silence: Silence): void => {
    const known = state.silences[silence.id];
    if (known && known.updatedAtMs > silence.updatedAtMs) return;
    state = collectExpiredSilences({ silences: { ...state.silences, [silence.id]: silence } }, clock(), EXPIRED_RETENTION_MS);
  };

  const marker = (key: string) => ({ key, value: { id: `sync-${nonce}`, matchers: [], startsAtMs: 0, endsAtMs: 0, createdBy: '', comment: '', updatedAtMs: clock(), sync: nonce } });
  // Writing first creates the topic where the broker creates topics on first use, so the reader below gets partitions.
  await io.publish('notifier.silences', [marker(`sync-${nonce}`)]);
  const subscription: Subscription = await io.subscribe({
    topic: 'notifier.silences',
    // A group of its own, so this instance reads every partition from the beginning.
    group: `${options.group}.silences.${nonce}`,
    onAssignment: (partitions) => {
      if (waiting || partitions.length === 0) return;
      waiting = new Set(partitions);
      const count = Math.max(...partitions) + 1;
      io.publish('notifier.silences', partitions.map((partition) => marker(keyForPartition(`sync-${nonce}`, partition, count)))).catch(rejectReady);
    },
    handler: async (record, meta) => {
      if (record.sync !== null) {
        if (record.sync === nonce && waiting?.delete(meta.partition) && waiting.size === 0) resolveReady();
        return;
      }
      const silence = silenceFromRecord(record);
      if (!silence) {
        logger.warn({ id: record.id }, 'silence with an unreadable matcher ignored');
        return;
      }
      apply(silence);
    },
  });

  const write = async (result: SilenceResult): Promise<SilenceResult> => {
    if (!result.ok) return result;
    await io.publish('notifier.silences', [{ key: result.silence.id, value: silenceToRecord(result.silence) }]);
    apply(result.silence);
    return result;
  };

  return {
    ready,
    state: () => state,
    create: (input) => write(createSilence(state, input, clock())),
    async expire(id) {
      const silence = state.silences[id];
      if (silence && silenceStatus(silence, clock()) === 'expired') return { ok: true, state, silence };
      return write(expireSilence(state, id, clock()));
    },
    close: () => subscription.close(),
  };
}
