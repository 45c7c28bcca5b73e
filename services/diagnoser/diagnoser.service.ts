/** Consumes diagnosis.requests, runs the rule library, publishes diagnosis.reports. */
import { z } from 'zod';
import { RecentIds } from '../../src/bus/dedup.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import { entityNodeKey } from '../../src/runtime/keys.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { diagnose } from './core/diagnose.js';

export const diagnoserConfigSchema = commonConfigSchema.extend({
  VIGIL_DIAGNOSER_GROUP: z.string().min(1).default('vigil-diagnoser').describe('Consumer group of the diagnoser'),
});

export const diagnoser: ServiceDefinition<typeof diagnoserConfigSchema> = {
  name: 'diagnoser',
  configSchema: diagnoserConfigSchema,
  async start(config, { io, logger }) {
    const seen = new RecentIds(10_000);
    const subscription = await io.subscribe({
      topic: 'diagnosis.requests',
      group: config.VIGIL_DIAGNOSER_GROUP,
      handler: async (request) => {
        if (seen.has(request.id)) return;
        const report = diagnose(request);
        await io.publish('diagnosis.reports', [{ key: entityNodeKey(report.entity), value: report }]);
        seen.add(request.id);
        logger.info({ requestId: request.id, reportId: report.id, cause: report.rootCause.code, confidence: report.confidence }, 'diagnosed');
      },
    });
    logger.info({ group: config.VIGIL_DIAGNOSER_GROUP }, 'diagnoser started');
    return { name: 'diagnoser', close: () => subscription.close() };
  },
};
