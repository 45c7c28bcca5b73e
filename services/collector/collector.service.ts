/** Reads the host every interval and publishes one metrics.raw batch per source. */
import { Counter, type Registry } from 'prom-client';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { nodeKey } from '../../src/runtime/keys.js';
import { collectorConfigSchema } from './collector-config.js';
import { createCollector, toMetricBatches, type SourceProblem } from './collector.js';
import { setUpCollector } from './collector-setup.js';
import { startRemoteWriteReceiver, type RemoteWriteReceiver } from './prometheus/remote-write.js';

export { collectorConfigSchema, type CollectorConfig } from './collector-config.js';

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
    const setup = await setUpCollector(config, { logger });
    const { sources } = setup;
    const cycle = createCollector(setup.files, sources);
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
      const batches = toMetricBatches(config.VIGIL_CLUSTER, config.VIGIL_NODE, results, timestampMs);
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
    let receiver: RemoteWriteReceiver | undefined;
    if (config.VIGIL_REMOTE_WRITE_PORT) {
      receiver = await startRemoteWriteReceiver({
        port: config.VIGIL_REMOTE_WRITE_PORT,
        cluster: config.VIGIL_CLUSTER,
        defaultNode: config.VIGIL_NODE,
        nodeLabel: config.VIGIL_REMOTE_WRITE_NODE_LABEL,
        problems: { report: (problem) => reportProblems([{ source: 'remote_write', problem }]) },
        // Keyed by the node each batch is about, so its series meet that node's other samples in one detector.
        onBatches: (batches) => io.publish('metrics.raw', batches.map((value) => ({ key: nodeKey(value.cluster, value.node), value }))),
      });
      logger.info({ port: receiver.port }, 'Prometheus remote_write receiver listening on /api/v1/write');
    }

    tick();
    const timer = setInterval(tick, config.VIGIL_INTERVAL_MS);
    logger.info({ intervalMs: config.VIGIL_INTERVAL_MS, procRoot: config.VIGIL_PROC_ROOT, sysRoot: config.VIGIL_SYS_ROOT, sources: sources.map((s) => s.name) }, 'collector started');

    return {
      name: 'collector',
      async close() {
        stopped = true;
        clearInterval(timer);
        await receiver?.close();
        await inFlight;
        await setup.close();
      },
    };
  },
};
