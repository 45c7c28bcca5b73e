/** Reads this machine's /proc every interval and publishes one metrics.raw batch per source. */
import { z } from 'zod';
import { deterministicId } from '../../src/codec/ids.js';
import type { MetricBatch } from '../../src/codec/records.generated.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { nodeKey } from '../../src/runtime/keys.js';
import { createProcScraper } from './proc-scraper.js';

export const collectorConfigSchema = commonConfigSchema.extend({
  VIGIL_INTERVAL_MS: z.coerce.number().int().min(100).default(5000).describe('Collection interval in milliseconds'),
  VIGIL_PROC_ROOT: z.string().min(1).default('/proc').describe('Root of the proc filesystem to read (a host mount such as /host/proc in a container)'),
  VIGIL_TOP_PROCESSES: z.coerce.number().int().min(1).max(500).default(15).describe('How many top processes by RSS and by CPU go into each process snapshot'),
});

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;

export const collector: ServiceDefinition<typeof collectorConfigSchema> = {
  name: 'collector',
  configSchema: collectorConfigSchema,
  async start(config, { io, logger, clock }) {
    const scraper = createProcScraper({ procRoot: config.VIGIL_PROC_ROOT, topProcesses: config.VIGIL_TOP_PROCESSES });
    const key = nodeKey(config.VIGIL_CLUSTER, config.VIGIL_NODE);
    let inFlight: Promise<void> | undefined;
    let stopped = false;

    const collectOnce = async (): Promise<void> => {
      const timestampMs = clock();
      const results = await scraper.scrape(timestampMs);
      const batches: MetricBatch[] = results.map(({ source, samples }) => ({
        id: deterministicId(config.VIGIL_CLUSTER, config.VIGIL_NODE, source, timestampMs),
        cluster: config.VIGIL_CLUSTER,
        node: config.VIGIL_NODE,
        source,
        timestampMs,
        samples,
      }));
      await io.publish('metrics.raw', batches.map((value) => ({ key, value })));
      logger.debug({ batches: batches.length, samples: batches.reduce((n, b) => n + b.samples.length, 0) }, 'collected');
    };

    // A scrape slower than the interval skips ticks rather than piling up.
    const tick = (): void => {
      if (stopped || inFlight) return;
      inFlight = collectOnce()
        .catch((error: unknown) => logger.error({ err: error }, 'collection failed'))
        .finally(() => { inFlight = undefined; });
    };
    tick();
    const timer = setInterval(tick, config.VIGIL_INTERVAL_MS);
    logger.info({ intervalMs: config.VIGIL_INTERVAL_MS, procRoot: config.VIGIL_PROC_ROOT }, 'collector started');

    return {
      name: 'collector',
      async close() {
        stopped = true;
        clearInterval(timer);
        await inFlight;
      },
    };
  },
};
