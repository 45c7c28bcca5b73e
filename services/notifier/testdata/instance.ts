/**
 * A notifier started the way the host starts it, without the host, so a test can crash it
 * (stop without committing) and run two side by side on one bus.
 */
import type { Bus } from '../../../src/bus/bus.js';
import { loadConfig } from '../../../src/runtime/config.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { createPipelineMetrics } from '../../../src/runtime/metrics.js';
import { createRecordIo } from '../../../src/runtime/record-io.js';
import { createNotifier, notifierConfigSchema, type NotifierHandle } from '../notifier.service.js';
import type { Timers } from '../timers.js';

export async function startNotifierInstance(bus: Bus, env: Record<string, string>, options: { timers?: Timers; print?: (line: string) => void } = {}): Promise<NotifierHandle> {
  const config = loadConfig(notifierConfigSchema, { VIGIL_LOG_LEVEL: 'error', ...env });
  const metrics = createPipelineMetrics({ defaultMetrics: false });
  const logger = createLogger({ level: 'error' });
  const clock = options.timers?.now ?? Date.now;
  const io = createRecordIo({ bus, metrics, service: 'notifier', logger, clock, topicPrefix: config.VIGIL_TOPIC_PREFIX });
  const service = createNotifier(options.timers ? { timers: options.timers } : {});
  return (await service.start(config, { io, logger, clock, print: options.print ?? (() => undefined), registry: metrics.registry })) as NotifierHandle;
}

/** What a webhook receiver got: how many times each notification (by report / anomaly / health id) arrived, digests unfolded. */
export function deliveriesById(bodies: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const body of bodies) {
    const payload = JSON.parse(body) as { reportId: string; status: string; digestOf?: { reportId: string; resolved: boolean }[] };
    const items = payload.digestOf ?? [{ reportId: payload.reportId, resolved: payload.status === 'resolved' }];
    for (const item of items) {
      const key = `${item.reportId}${item.resolved ? ':resolved' : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** Duplicates (arrived more than once) and losses (never arrived) of `expected` ids. */
export function duplicatesAndLosses(counts: ReadonlyMap<string, number>, expected: readonly string[]): { duplicates: number; losses: number } {
  let duplicates = 0;
  let losses = 0;
  for (const id of expected) {
    const count = counts.get(id) ?? 0;
    if (count === 0) losses++;
    else duplicates += count - 1;
  }
  for (const [id, count] of counts) if (!expected.includes(id)) duplicates += count;
  return { duplicates, losses };
}
