/**
 * Consumes metrics.raw, runs one detector core per assigned partition, publishes anomalies and
 * diagnosis requests. Offsets are committed no further than the core's retainFrom(), so whoever
 * owns a partition next (this detector restarted, or another instance of the group after a
 * rebalance) replays enough to rebuild its windows and re-emits identical records (same ids),
 * which downstream drops as duplicates.
 */
import { Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Anomaly } from '../../src/codec/records.generated.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import { entityNodeKey } from '../../src/runtime/keys.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { createDetector, type Detector, type DetectorOutput } from './core/detector.js';
import { defaultRules, loadRuleFile } from './rules/rule-file.js';

export const detectorConfigSchema = commonConfigSchema.extend({
  VIGIL_DETECTOR_GROUP: z.string().min(1).default('vigil-detector').describe('Consumer group of the detector'),
  VIGIL_DETECTOR_RULES: z.string().min(1).optional().describe('Path of the expert rule file (YAML); the shipped services/detector/rules/default-rules.yaml when unset'),
});

/** One assigned partition of metrics.raw: its core, from the assignment that gave it to us until it is revoked. */
interface OwnedPartition {
  core: Detector;
  /** The last offset the core has applied: a rejoin redelivers from the committed offset, and a core must not apply a record twice. */
  applied: number;
  /** Outputs of the applied record not yet acknowledged, published again when the bus hands that record over again. */
  unpublished: { position: number; output: DetectorOutput } | undefined;
}

/** vigil_detector_partitions and vigil_detector_series; one per registry even when several detectors share it. */
function ownershipGauges(registry: Registry, owned: Map<number, OwnedPartition>): void {
  const gauge = (name: string, help: string, value: () => number): void => {
    const existing = registry.getSingleMetric(name) as Gauge | undefined;
    if (existing) return;
    new Gauge({ name, help, registers: [registry], collect() { this.set(value()); } });
  };
  gauge('vigil_detector_partitions', 'Partitions of metrics.raw this detector owns', () => owned.size);
  gauge('vigil_detector_series', 'Series tracked across the owned partitions', () => [...owned.values()].reduce((sum, partition) => sum + partition.core.stats().series, 0));
}

export const detector: ServiceDefinition<typeof detectorConfigSchema> = {
  name: 'detector',
  configSchema: detectorConfigSchema,
  async start(config, { io, logger, print, registry }) {
    // A bad rule file stops the service at start (VIGIL_CONFIG naming the rule and field), like a bad variable.
    const rules = config.VIGIL_DETECTOR_RULES ? loadRuleFile(config.VIGIL_DETECTOR_RULES) : defaultRules();
    const owned = new Map<number, OwnedPartition>();
    ownershipGauges(registry, owned);

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

    const subscription = await io.subscribe({
      topic: 'metrics.raw',
      group: config.VIGIL_DETECTOR_GROUP,
      retainFrom: (partition) => {
        const position = owned.get(partition)?.core.retainFrom();
        return position === undefined ? undefined : String(position);
      },
      // The bus reports a partition before its first record, so a core starts with the partition's
      // replay from the committed offset; a revoked partition's state goes with it (the next owner
      // rebuilds it from the same replay).
      onAssignment: (partitions) => {
        for (const partition of owned.keys()) if (!partitions.includes(partition)) owned.delete(partition);
        for (const partition of partitions) {
          if (!owned.has(partition)) owned.set(partition, { core: createDetector({ rules }), applied: -1, unpublished: undefined });
        }
        logger.info({ partitions }, 'metrics.raw partitions assigned');
      },
      handler: async (batch, meta) => {
        // A record of a partition revoked while it was in hand: the next owner replays it.
        const partition = owned.get(meta.partition);
        if (!partition) return;
        const position = Number(meta.offset);
        let output: DetectorOutput;
        if (partition.unpublished?.position === position) {
          output = partition.unpublished.output;
        } else if (position <= partition.applied) {
          return;
        } else {
          // Applied before publishing: publishing can fail, and the core cannot apply the batch again.
          output = partition.core.process(batch, position);
          partition.applied = position;
          partition.unpublished = { position, output };
        }
        await publish(output);
        if (partition.unpublished?.position === position) partition.unpublished = undefined;
      },
    });
    logger.info({ group: config.VIGIL_DETECTOR_GROUP }, 'detector started');
    return {
      name: 'detector',
      async close() {
        await subscription.close();
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
