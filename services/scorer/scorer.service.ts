/** Consumes anomalies and diagnosis.reports, keeps health scores, publishes health.updates. */
import { z } from 'zod';
import type { HealthUpdate } from '../../src/codec/records.generated.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import { entityKey } from '../../src/runtime/keys.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { createHealthModel } from './core/health-model.js';

export const scorerConfigSchema = commonConfigSchema.extend({
  VIGIL_SCORER_GROUP: z.string().min(1).default('vigil-scorer').describe('Consumer group prefix of the scorer (one group per topic: <prefix>.anomalies, <prefix>.diagnosis.reports)'),
});

export const scorer: ServiceDefinition<typeof scorerConfigSchema> = {
  name: 'scorer',
  configSchema: scorerConfigSchema,
  async start(config, { io, logger }) {
    const model = createHealthModel();
    const publish = async (updates: HealthUpdate[]): Promise<void> => {
      if (updates.length === 0) return;
      await io.publish('health.updates', updates.map((value) => ({ key: entityKey(value.entity), value })));
      for (const update of updates) logger.info({ entity: entityKey(update.entity), level: update.level, score: update.score, grade: update.grade }, 'health');
    };
    // One consumer group per topic: Kafka assignors expect every member of a group to subscribe
    // to the same topics.
    const anomalies = await io.subscribe({
      topic: 'anomalies',
      group: `${config.VIGIL_SCORER_GROUP}.anomalies`,
      handler: (anomaly) => publish(model.onAnomaly(anomaly)),
    });
    const reports = await io.subscribe({
      topic: 'diagnosis.reports',
      group: `${config.VIGIL_SCORER_GROUP}.diagnosis.reports`,
      handler: (report) => publish(model.onReport(report)),
    });
    logger.info({ group: config.VIGIL_SCORER_GROUP }, 'scorer started');
    return {
      name: 'scorer',
      async close() {
        await Promise.all([anomalies.close(), reports.close()]);
      },
    };
  },
};
