/**
 * Consumes anomalies and diagnosis.reports, keeps health scores, publishes health.updates keyed by
 * entity, and serves them: GET /api/health… on the host's HTTP port and vigil_health_score on /metrics.
 * It also mounts the web console (services/console) on that port: pages at /, /api/console/….
 *
 * Restart: before it consumes, the scorer reads health.updates (the latest update of every entity)
 * and the anomalies still open (anomalies from the beginning, OPEN/UPDATE minus RESOLVED) in
 * throwaway consumer groups, until nothing new arrived for VIGIL_SCORER_RESTORE_IDLE_MS, and hands
 * both to the model's restore, publishing the corrections it returns. The anomalies' event ids
 * seed the duplicate filter, so what the live group gets again (handled but not committed before
 * the stop) is not charged twice.
 */
import { z } from 'zod';
import { RecentIds } from '../../src/bus/dedup.js';
import type { Subscription } from '../../src/bus/bus.js';
import type { TopicRecords } from '../../src/codec/codecs.js';
import type { Topic } from '../../src/codec/schemas.js';
import type { Anomaly, HealthUpdate } from '../../src/codec/records.generated.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import { entityKey } from '../../src/runtime/keys.js';
import type { RecordIo } from '../../src/runtime/record-io.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { createHealthModel } from './core/health-model.js';
import { loadInspectionCatalogue } from './core/inspection-catalogue.js';
import { consoleConfigShape } from '../console/console-config.js';
import { checkConsoleAccess, mountConsole } from '../console/console.js';
import { mountHealthApi } from './http/health-api.js';
import { registerHealthMetrics } from './http/health-metrics.js';

export const scorerConfigSchema = commonConfigSchema.extend({
  VIGIL_SCORER_GROUP: z.string().min(1).default('vigil-scorer').describe('Consumer group prefix of the scorer (one group per topic: <prefix>.anomalies, <prefix>.diagnosis.reports)'),
  VIGIL_SCORER_CATALOGUE: z.string().trim().min(1).optional().describe('Inspection catalogue YAML file (items, weights, severity points); validated at start; default: the shipped services/scorer/core/default-inspection.yaml'),
  VIGIL_HEALTH_HISTORY_MINUTES: z.coerce.number().positive().default(24 * 60).describe('Minutes of score history per entity kept for GET /api/health/history (event time, counted back from the newest event; at most 120 points per entity)'),
  VIGIL_SCORER_RESTORE_IDLE_MS: z.coerce.number().int().positive().optional().describe('At start, health.updates and anomalies are read back until nothing new arrived for this long (default 250 on VIGIL_BUS=memory, 3000 on Kafka)'),
  ...consoleConfigShape,
});

export type ScorerConfig = z.infer<typeof scorerConfigSchema>;

/** Open anomalies read back at start; the oldest opened is dropped beyond it (the model keeps 256 per node anyway). */
const maxRestoredOpenAnomalies = 100_000;
/** Anomaly event ids remembered against redelivery. */
const recentEventIds = 100_000;
/** How long to wait for a throwaway group's first assignment (a Kafka group join) before giving up on restoring. */
const assignmentTimeoutMs = 30_000;

/** What a restart reads back from the bus. */
interface RestoredState {
  /** The latest update of every entity. */
  updates: HealthUpdate[];
  openAnomalies: Anomaly[];
  anomalyEventIds: string[];
}

/** Reads `topic` from its oldest retained record in a throwaway group until it has been quiet for `idleMs`. */
async function readBack<T extends Topic>(io: RecordIo, topic: T, group: string, idleMs: number, onRecord: (record: TopicRecords[T]) => void): Promise<void> {
  let assigned!: () => void;
  const assignment = new Promise<void>((resolve) => { assigned = resolve; });
  let lastActivityMs = Date.now();
  const subscription: Subscription = await io.subscribe({
    topic,
    group,
    handler: async (record) => {
      lastActivityMs = Date.now();
      onRecord(record);
    },
    onAssignment: () => {
      lastActivityMs = Date.now();
      assigned();
    },
  });
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([assignment, new Promise<void>((resolve) => { timer = setTimeout(resolve, assignmentTimeoutMs); })]);
    clearTimeout(timer);
    while (Date.now() - lastActivityMs < idleMs) await new Promise((resolve) => setTimeout(resolve, Math.min(50, idleMs)));
  } finally {
    await subscription.close({ commit: false });
  }
}

async function readBackState(io: RecordIo, config: ScorerConfig, idleMs: number): Promise<RestoredState> {
  const run = `${config.VIGIL_SCORER_GROUP}.restore.${process.pid}.${Date.now()}`;
  const latest = new Map<string, HealthUpdate>();
  /** Insertion order = oldest first, for the bound. */
  const open = new Map<string, Anomaly>();
  const eventIds: string[] = [];
  await Promise.all([
    readBack(io, 'health.updates', `${run}.health.updates`, idleMs, (update) => {
      const key = entityKey(update.entity);
      const previous = latest.get(key);
      if (!previous || update.timestampMs >= previous.timestampMs) latest.set(key, update);
    }),
    readBack(io, 'anomalies', `${run}.anomalies`, idleMs, (anomaly) => {
      eventIds.push(anomaly.eventId);
      if (anomaly.state === 'RESOLVED') {
        open.delete(anomaly.id);
        return;
      }
      const previous = open.get(anomaly.id);
      if (previous && previous.observedAtMs > anomaly.observedAtMs) return;
      open.delete(anomaly.id);
      open.set(anomaly.id, anomaly);
      while (open.size > maxRestoredOpenAnomalies) open.delete(open.keys().next().value!);
    }),
  ]);
  return {
    updates: [...latest.values()],
    openAnomalies: [...open.values()].sort((a, b) => a.observedAtMs - b.observedAtMs),
    anomalyEventIds: eventIds.slice(-recentEventIds),
  };
}

export const scorer: ServiceDefinition<typeof scorerConfigSchema> = {
  name: 'scorer',
  configSchema: scorerConfigSchema,
  async start(config, { io, logger, registry, api, http, print }) {
    if (http) checkConsoleAccess(config, http.host);
    const catalogue = config.VIGIL_SCORER_CATALOGUE ? loadInspectionCatalogue(config.VIGIL_SCORER_CATALOGUE) : undefined;
    const model = createHealthModel({ catalogue, historyMs: config.VIGIL_HEALTH_HISTORY_MINUTES * 60_000 });
    const seen = new RecentIds(recentEventIds);

    const publish = async (updates: HealthUpdate[]): Promise<void> => {
      if (updates.length === 0) return;
      await io.publish('health.updates', updates.map((value) => ({ key: entityKey(value.entity), value })));
      for (const update of updates) {
        logger.info({ entity: entityKey(update.entity), level: update.level, score: update.score, grade: update.grade }, 'health');
      }
    };
    const idleMs = config.VIGIL_SCORER_RESTORE_IDLE_MS ?? (config.VIGIL_BUS === 'memory' ? 250 : 3_000);
    const restored = await readBackState(io, config, idleMs);
    const corrections = model.restore(restored.updates, restored.openAnomalies);
    for (const eventId of restored.anomalyEventIds) seen.add(eventId);
    await publish(corrections);
    logger.info({ entities: restored.updates.length, openAnomalies: restored.openAnomalies.length, corrections: corrections.length }, 'scores restored');

    // One consumer group per topic: Kafka assignors expect every member of a group to subscribe
    // to the same topics.
    const anomalies = await io.subscribe({
      topic: 'anomalies',
      group: `${config.VIGIL_SCORER_GROUP}.anomalies`,
      handler: async (anomaly) => {
        // At-least-once delivery: a step already charged comes again after a rebalance or restart.
        if (seen.has(anomaly.eventId)) return;
        await publish(model.onAnomaly(anomaly));
        seen.add(anomaly.eventId);
      },
    });
    const reports = await io.subscribe({
      topic: 'diagnosis.reports',
      group: `${config.VIGIL_SCORER_GROUP}.diagnosis.reports`,
      handler: (report) => publish(model.onReport(report)),
    });
    const unregisterMetrics = registerHealthMetrics(registry, model);
    const unmountApi = api ? mountHealthApi(api, model, { historyMinutes: config.VIGIL_HEALTH_HISTORY_MINUTES }) : undefined;
    if (!api) logger.warn('the host serves no HTTP: GET /api/health is not available');
    const webConsole = http ? await mountConsole(config, { io, http, health: model, logger, print, group: `${config.VIGIL_SCORER_GROUP}.console` }) : undefined;
    logger.info({ group: config.VIGIL_SCORER_GROUP }, 'scorer started');
    return {
      name: 'scorer',
      async close() {
        await webConsole?.close();
        unmountApi?.();
        unregisterMetrics();
        await Promise.all([anomalies.close(), reports.close()]);
      },
    };
  },
};
