/**
 * Two notifier instances at once on a real Kafka-protocol broker (the librdkafka mock, or
 * KAFKA_BROKERS): both consume diagnosis.reports in one group, and each owns the notifier.outbox
 * partitions it was given, so every group of alerts is notified by exactly one of them. A local
 * webhook receiver counts what arrived: every report once, none twice, none lost.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import type { Bus, Subscription } from '../src/bus/bus.js';
import { RdkafkaBus } from '../src/bus/rdkafka-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import { startHost, type Host } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { startRecordingServer } from '../services/notifier/channels/testdata/recording-server.js';
import { memoryGrowthReport } from '../services/notifier/core/testdata/report.js';
import { notifier } from '../services/notifier/notifier.service.js';
import { deliveriesById, duplicatesAndLosses } from '../services/notifier/testdata/instance.js';
import { kafkaBrokers } from './support/kafka-broker.js';

const REPORTS = 40;
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-notifier-kafka-'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

interface Instance {
  host: Host;
  /** The instance's subscriptions by topic (without prefix). */
  subscriptions: Map<string, Subscription>;
}

async function startInstance(name: string, run: string, env: Record<string, string>): Promise<Instance> {
  const bus = new RdkafkaBus({ brokers: kafkaBrokers(), clientId: `${name}-${run}`, librdkafka: { 'session.timeout.ms': 3000, 'heartbeat.interval.ms': 300 } });
  const subscriptions = new Map<string, Subscription>();
  const prefix = `notifier-${run}.`;
  const watched: Bus = {
    kind: bus.kind,
    connect: () => bus.connect(),
    close: () => bus.close(),
    produce: (topic, records) => bus.produce(topic, records),
    async subscribe(options) {
      const subscription = await bus.subscribe(options);
      subscriptions.set(options.topic.slice(prefix.length), subscription);
      return subscription;
    },
  };
  const host = await startHost({
    services: [notifier as unknown as ServiceDefinition],
    env: { VIGIL_BUS: 'rdkafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix, VIGIL_NOTIFIER_GROUP: `notifier-${run}`, VIGIL_LOG_LEVEL: 'warn', ...env },
    bus: watched,
    http: false,
    logger: createLogger({ level: 'warn' }),
    print: () => undefined,
  });
  cleanups.push(async () => { await host.close(); await bus.close(); });
  await host.started;
  return { host, subscriptions };
}

async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(50);
  }
}

test('two instances at once send every notification exactly once', async () => {
  const bodies: string[] = [];
  const server = await startRecordingServer((request) => {
    bodies.push(request.body);
    return { status: 204 };
  });
  cleanups.push(() => server.close());
  const config = path.join(dir, 'routing.yaml');
  writeFileSync(config, `
route:
  receiver: hook
  group_by: ['...']
  group_wait: 0s
receivers:
  - name: hook
    channels:
      - type: webhook
        name: hook
        url: ${server.origin}/hook
        secret: kafka-secret
`);
  const run = randomUUID().slice(0, 8);
  const env = { VIGIL_NOTIFIER_CONFIG: config };
  const [a, b] = await Promise.all([startInstance('a', run, env), startInstance('b', run, env)]);

  // Both members of the outbox group hold partitions before anything is produced.
  const split = (topic: string) => {
    const mine = a.subscriptions.get(topic)?.assignment() ?? [];
    const theirs = b.subscriptions.get(topic)?.assignment() ?? [];
    return mine.length > 0 && theirs.length > 0 && mine.every((partition) => !theirs.includes(partition));
  };
  await until(() => split('notifier.outbox'), 30_000, () => `both instances to share the partitions: ${JSON.stringify([...a.subscriptions].map(([t, s]) => [t, s.assignment()]))} / ${JSON.stringify([...b.subscriptions].map(([t, s]) => [t, s.assignment()]))}`);

  const producer = new RdkafkaBus({ brokers: kafkaBrokers(), clientId: `producer-${run}` });
  await producer.connect();
  cleanups.push(() => producer.close());
  const codec = codecFor('diagnosis.reports');
  const ids: string[] = [];
  for (let n = 0; n < REPORTS; n++) {
    const report = { ...memoryGrowthReport, id: `kafka-report-${n}`, entity: { ...memoryGrowthReport.entity, node: `worker-${n}` }, createdAtMs: Date.now() };
    ids.push(report.id);
    await producer.produce(`notifier-${run}.diagnosis.reports`, [{ key: `prod-eu/worker-${n}`, value: codec.encode(report) }]);
  }
  await until(() => deliveriesById(bodies).size >= REPORTS, 30_000, () => `${REPORTS} deliveries, got ${deliveriesById(bodies).size}`);
  // Time for a late duplicate to show.
  await sleep(1500);
  const { duplicates, losses } = duplicatesAndLosses(deliveriesById(bodies), ids);
  console.log(`two instances on Kafka: ${REPORTS} reports, ${bodies.length} requests, ${duplicates} duplicates, ${losses} lost; outbox partitions ${a.subscriptions.get('notifier.outbox')!.assignment()} / ${b.subscriptions.get('notifier.outbox')!.assignment()}`);
  expect({ duplicates, losses }).toEqual({ duplicates: 0, losses: 0 });
  expect(bodies).toHaveLength(REPORTS);
}, 90_000);
