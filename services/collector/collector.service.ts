/** Reads the host every interval and publishes one metrics.raw batch per source. */
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { deterministicId } from '../../src/codec/ids.js';
import type { MetricBatch } from '../../src/codec/records.generated.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { nodeKey } from '../../src/runtime/keys.js';
import { createCollector, type SourceProblem } from './collector.js';
import { createHostFiles } from './host-files.js';
import { defaultSources } from './sources/default-sources.js';

export const collectorConfigSchema = commonConfigSchema.extend({
  VIGIL_INTERVAL_MS: z.coerce.number().int().min(100).default(5000).describe('Collection interval in milliseconds'),
  VIGIL_PROC_ROOT: z.string().min(1).default('/proc').describe('Root of the proc filesystem to read (a host mount such as /host/proc in a container)'),
  VIGIL_SYS_ROOT: z.string().min(1).default('/sys').describe('Root of sysfs to read, cgroups included (a host mount such as /host/sys in a container)'),
  VIGIL_TOP_PROCESSES: z.coerce.number().int().min(1).max(500).default(15).describe('How many top processes by each resource go into each process snapshot'),
});

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;

/** vigil_collector_parse_errors_total{source}; one per registry even when several collectors share it. */
function parseErrorCounter(registry: Registry): Counter<'source'> {
  const name = 'vigil_collector_parse_errors_total';
  return (registry.getSingleMetric(name) as Counter<'source'> | undefined)
    ?? new Counter({ name, help: 'Input the collector skipped: unreadable files, malformed lines, missing fields', labelNames: ['source'], registers: [registry] });
}

export const collector: ServiceDefinition<typeof collectorConfigSchema> = {
  name: 'collector',
  configSchema: collectorConfigSchema,
  async start(config, { io, logger, clock, registry }) {
    const files = createHostFiles({ procRoot: config.VIGIL_PROC_ROOT, sysRoot: config.VIGIL_SYS_ROOT });
    const sources = defaultSources({ topProcesses: config.VIGIL_TOP_PROCESSES });
    const cycle = createCollector(files, sources);
    const key = nodeKey(config.VIGIL_CLUSTER, config.VIGIL_NODE);
    const parseErrors = parseErrorCounter(registry);
    const logged = new Set<string>();
    let inFlight: Promise<void> | undefined;
    let stopped = false;

    // Each distinct problem is logged once (a broken file would otherwise log every interval); all are counted.
    const reportProblems = (problems: SourceProblem[]): void => {
      for (const { source, problem } of problems) {
        parseErrors.inc({ source });
        const what = `${source}: ${problem.replace(/\d+/g, 'N')}`;
        if (logged.has(what) || logged.size >= 1000) continue;
        logged.add(what);
        logger.warn({ source, problem }, 'collector skipped input it could not read (logged once, counted in vigil_collector_parse_errors_total)');
      }
    };

    const collectOnce = async (): Promise<void> => {
      const timestampMs = clock();
      const { batches: results, problems } = await cycle.collect(timestampMs);
      reportProblems(problems);
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

    // A cycle slower than the interval skips ticks rather than piling up.
    const tick = (): void => {
      if (stopped || inFlight) return;
      inFlight = collectOnce()
        .catch((error: unknown) => logger.error({ err: error }, 'collection failed'))
        .finally(() => { inFlight = undefined; });
    };
    tick();
    const timer = setInterval(tick, config.VIGIL_INTERVAL_MS);
    logger.info({ intervalMs: config.VIGIL_INTERVAL_MS, procRoot: config.VIGIL_PROC_ROOT, sysRoot: config.VIGIL_SYS_ROOT, sources: sources.map((s) => s.name) }, 'collector started');

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
