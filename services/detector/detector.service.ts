/**
 * Consumes metrics.raw, runs one detector core per assigned partition, publishes anomalies and
 * diagnosis requests. Offsets are committed no further than the core's retainFrom(), so a restarted
 * detector replays enough to rebuild its windows and re-emits identical records (same ids), which
 * downstream drops as duplicates.
 */
import { z } from 'zod';
import type { Anomaly } from '../../src/codec/records.generated.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import { entityNodeKey } from '../../src/runtime/keys.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { createDetector, type Detector } from './core/detector.js';

export const detectorConfigSchema = commonConfigSchema.extend({
  VIGIL_DETECTOR_GROUP: z.string().min(1).default('vigil-detector').describe('Consumer group of the detector'),
});

export const detector: ServiceDefinition<typeof detectorConfigSchema> = {
  name: 'detector',
  configSchema: detectorConfigSchema,
  async start(config, { io, logger, print }) {
    const cores = new Map<number, Detector>();
    // The last offset each partition's core has applied: a rebalance that hands a partition back
    // redelivers from the committed offset, and a core must not apply a record twice.
    const applied = new Map<number, number>();
    const coreFor = (partition: number): Detector => {
      let core = cores.get(partition);
      if (!core) {
        core = createDetector();
        cores.set(partition, core);
      }
      return core;
    };

    const subscription = await io.subscribe({
      topic: 'metrics.raw',
      group: config.VIGIL_DETECTOR_GROUP,
      retainFrom: (partition) => {
        const position = cores.get(partition)?.retainFrom();
        return position === undefined ? undefined : String(position);
      },
      onAssignment: (partitions) => {
        for (const partition of cores.keys()) {
          if (partitions.includes(partition)) continue;
          cores.delete(partition);
          applied.delete(partition);
        }
      },
      handler: async (batch, meta) => {
        const position = Number(meta.offset);
        if (position <= (applied.get(meta.partition) ?? -1)) return;
        const { anomalies, requests } = coreFor(meta.partition).process(batch, position);
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
        applied.set(meta.partition, position);
      },
    });
    logger.info({ group: config.VIGIL_DETECTOR_GROUP }, 'detector started');
    return { name: 'detector', close: () => subscription.close() };
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
