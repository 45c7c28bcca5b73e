/**
 * Consumes metrics.raw, runs one detector core per assigned partition, publishes anomalies,
 * series.classified and diagnosis requests.
 *
 * The cores' state (the engine's models span days of points) survives a partition changing owner
 * through snapshots on the compacted topic detector.state (state-store.ts): every
 * VIGIL_DETECTOR_SNAPSHOT_INTERVAL_MS a partition's state is written, after the outputs of every
 * record it reflects were acknowledged, and metrics.raw is committed no further than the latest
 * acknowledged snapshot. Whoever owns a partition next (this detector restarted, or another
 * instance of the group after a rebalance or a crash) restores that snapshot, skips the records
 * it reflects, and applies the rest: it re-emits what its predecessor emitted after the snapshot
 * (same ids, dropped downstream as duplicates) and goes on exactly as its predecessor would have.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Anomaly } from '../../src/codec/records.generated.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import { entityNodeKey } from '../../src/runtime/keys.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { createDetector, restoreDetector, type Detector, type DetectorOutput } from './core/detector.js';
import { detectorStateFormat } from './core/detector-state.js';
import { defaultRules, loadRuleFile } from './rules/rule-file.js';
import { openStateStore } from './state-store.js';

export const detectorConfigSchema = commonConfigSchema.extend({
  VIGIL_DETECTOR_GROUP: z.string().min(1).default('vigil-detector').describe('Consumer group of the detector'),
  VIGIL_DETECTOR_RULES: z.string().min(1).optional().describe('Path of the expert rule file (YAML); the shipped services/detector/rules/default-rules.yaml when unset'),
  VIGIL_DETECTOR_SNAPSHOT_INTERVAL_MS: z.coerce.number().int().min(0).default(10_000).describe('How often each partition\'s detector state is written to detector.state (0: after every record); metrics.raw is committed no further than the latest snapshot, so this bounds what a new owner replays'),
  VIGIL_DETECTOR_SNAPSHOT_CHUNK_BYTES: z.coerce.number().int().min(1024).default(256 * 1024).describe('Bytes of encoded state per detector.state record at most: a partition\'s snapshot is written as as many chunks as it needs, each well under the broker\'s max.message.bytes (1 MB by default)'),
  VIGIL_DETECTOR_CLAIM_TIMEOUT_MS: z.coerce.number().int().min(1).default(60_000).describe('How long a new owner of a partition waits to read detector.state up to its claim before it starts from the snapshots read so far'),
});

/** One assigned partition of metrics.raw: its core, from the assignment that gave it to us until it is revoked. */
interface OwnedPartition {
  /** Restored from the latest snapshot (or new) before the partition's first record is applied. */
  core: Detector | undefined;
  restoring: Promise<void> | undefined;
  /** The last offset the core has applied (a snapshot at O has applied O - 1): records up to it are not applied again. */
  applied: number;
  /** Outputs of the applied record not yet acknowledged, published again when the bus hands that record over again. */
  unpublished: { position: number; output: DetectorOutput } | undefined;
  /** Where a new owner would continue: the latest acknowledged snapshot's offset, or a new core's first offset. */
  continueFrom: number | undefined;
  lastSnapshotMs: number;
}

/** vigil_detector_partitions and vigil_detector_series; one per registry even when several detectors share it. */
function ownershipGauges(registry: Registry, owned: Map<number, OwnedPartition>): void {
  const gauge = (name: string, help: string, value: () => number): void => {
    const existing = registry.getSingleMetric(name) as Gauge | undefined;
    if (existing) return;
    new Gauge({ name, help, registers: [registry], collect() { this.set(value()); } });
  };
  gauge('vigil_detector_partitions', 'Partitions of metrics.raw this detector owns', () => owned.size);
  gauge('vigil_detector_series', 'Series tracked across the owned partitions', () => [...owned.values()].reduce((sum, partition) => sum + (partition.core?.stats().series ?? 0), 0));
}

function counter(registry: Registry, name: string, help: string): Counter {
  return (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, registers: [registry] });
}

export const detector: ServiceDefinition<typeof detectorConfigSchema> = {
  name: 'detector',
  configSchema: detectorConfigSchema,
  async start(config, { io, logger, print, registry, clock }) {
    // A bad rule file stops the service at start (VIGIL_CONFIG naming the rule and field), like a bad variable.
    const rules = config.VIGIL_DETECTOR_RULES ? loadRuleFile(config.VIGIL_DETECTOR_RULES) : defaultRules();
    const owned = new Map<number, OwnedPartition>();
    ownershipGauges(registry, owned);
    const snapshotsWritten = counter(registry, 'vigil_detector_snapshots_written_total', 'Partition state snapshots written to detector.state');
    const restored = counter(registry, 'vigil_detector_partitions_restored_total', 'Partitions taken over from a snapshot on detector.state');
    const group = config.VIGIL_DETECTOR_GROUP;
    const store = await openStateStore({ io, logger, clock, group, claimTimeoutMs: config.VIGIL_DETECTOR_CLAIM_TIMEOUT_MS, chunkBytes: config.VIGIL_DETECTOR_SNAPSHOT_CHUNK_BYTES });

    const publish = async ({ anomalies, requests, classified }: DetectorOutput): Promise<void> => {
      if (classified.length > 0) {
        await io.publish('series.classified', classified.map((value) => ({ key: entityNodeKey(value.entity), value })));
      }
      if (anomalies.length > 0) {
        await io.publish('anomalies', anomalies.map((value) => ({ key: entityNodeKey(value.entity), value })));
        for (const anomaly of anomalies) {
          if (anomaly.state !== 'UPDATE') print(describeAnomaly(anomaly));
          logger.info({ anomalyId: anomaly.id, state: anomaly.state, kind: anomaly.kind, series: anomaly.series, value: anomaly.value }, 'anomaly');
        }
      }
      if (requests.length > 0) {
        await io.publish('diagnosis.requests', requests.map((value) => ({ key: entityNodeKey(value.entity), value })));
      }
    };

    /** The partition's core: its latest snapshot restored, or a new one when there is none (or it cannot be read). */
    const restore = async (partition: number, entry: OwnedPartition): Promise<void> => {
      const startedMs = clock();
      const snapshot = await store.latest(partition);
      if (snapshot && snapshot.format === detectorStateFormat) {
        try {
          entry.core = restoreDetector(snapshot.state, { rules });
          entry.applied = snapshot.offset - 1;
          entry.continueFrom = snapshot.offset;
          restored.inc();
          logger.info({ partition, offset: snapshot.offset, bytes: snapshot.state.length, tookMs: clock() - startedMs }, 'metrics.raw partition restored from its snapshot');
          // Its SNAPSHOT written again, so the partition's latest record under that key is a snapshot, not our claim.
          await store.reaffirm(partition, snapshot);
          return;
        } catch (error) {
          logger.warn({ partition, offset: snapshot.offset, err: error }, 'the snapshot of a metrics.raw partition cannot be restored: starting it anew');
        }
      } else if (snapshot) {
        logger.warn({ partition, format: snapshot.format }, 'a detector.state snapshot of an unknown format: starting the partition anew');
      }
      entry.core = createDetector({ rules });
      logger.info({ partition, tookMs: clock() - startedMs }, 'metrics.raw partition starts without a snapshot');
    };

    const subscription = await io.subscribe({
      topic: 'metrics.raw',
      group,
      retainFrom: (partition) => {
        const position = owned.get(partition)?.continueFrom;
        return position === undefined ? undefined : String(position);
      },
      // The bus reports a partition before its first record: its restore starts at once. A revoked
      // partition's state goes with it (the next owner restores it from detector.state).
      onAssignment: (partitions) => {
        for (const partition of owned.keys()) if (!partitions.includes(partition)) owned.delete(partition);
        for (const partition of partitions) {
          if (owned.has(partition)) continue;
          const entry: OwnedPartition = { core: undefined, restoring: undefined, applied: -1, unpublished: undefined, continueFrom: undefined, lastSnapshotMs: clock() };
          // Failures surface in the handler, which the bus retries.
          entry.restoring = restore(partition, entry);
          entry.restoring.catch(() => undefined);
          owned.set(partition, entry);
        }
        logger.info({ partitions }, 'metrics.raw partitions assigned');
      },
      handler: async (batch, meta) => {
        // A record of a partition revoked while it was in hand: the next owner replays it.
        const partition = owned.get(meta.partition);
        if (!partition) return;
        if (!partition.core) {
          const restoring = partition.restoring ?? restore(meta.partition, partition);
          partition.restoring = restoring;
          try {
            await restoring;
          } finally {
            partition.restoring = undefined;
          }
          if (owned.get(meta.partition) !== partition) return;
        }
        const core = partition.core!;
        const position = Number(meta.offset);
        let output: DetectorOutput;
        if (partition.unpublished?.position === position) {
          output = partition.unpublished.output;
        } else if (position <= partition.applied) {
          return;
        } else {
          // Applied before publishing: publishing can fail, and the core cannot apply the batch again.
          partition.continueFrom ??= position;
          output = core.process(batch, position);
          partition.applied = position;
          partition.unpublished = { position, output };
        }
        await publish(output);
        if (partition.unpublished?.position === position) partition.unpublished = undefined;
        // Every record up to this one has its outputs acknowledged: the state after it may be written.
        if (clock() - partition.lastSnapshotMs >= config.VIGIL_DETECTOR_SNAPSHOT_INTERVAL_MS) {
          partition.lastSnapshotMs = clock();
          await store.write(meta.partition, position + 1, core.snapshot());
          snapshotsWritten.inc();
          if (owned.get(meta.partition) === partition) partition.continueFrom = position + 1;
        }
      },
    });
    logger.info({ group }, 'detector started');
    return {
      name: 'detector',
      async close() {
        await subscription.close();
        await store.close();
        owned.clear();
      },
    };
  },
};

function describeAnomaly(anomaly: Anomaly): string {
  const where = `${anomaly.entity.cluster}/${anomaly.entity.node ?? ''}`;
  if (anomaly.state === 'RESOLVED') return `[RESOLVED] ${where} ${anomaly.kind} ${anomaly.series} back to ${formatValue(anomaly.value)}`;
  return `[${anomaly.severity}] ${where} ${anomaly.kind} ${anomaly.series} = ${formatValue(anomaly.value)}, expected ${formatValue(anomaly.expectedLow)}..${formatValue(anomaly.expectedHigh)} (score ${anomaly.score.toFixed(1)}, ${anomaly.models.join('+')})`;
}

function formatValue(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(2)}Gi`;
  if (magnitude >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)}Mi`;
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}
