/**
 * The five services as separate clients of a real Kafka-protocol broker: this machine's /proc, a
 * real process growing its memory, and the anomaly becomes a diagnosis report naming it, a health
 * update for the node, a printed line, an email over real SMTP and notification records.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadService, startOrder } from '../services/registry.js';
import type { Bus } from '../src/bus/bus.js';
import { createBus } from '../src/bus/create-bus.js';
import { spawnMemoryHog } from '../src/cli/demo/memory-hog.js';
import { startHost, type Host } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import { kafkaBrokers } from './support/kafka-broker.js';
import { startSmtpCatcher, type SmtpCatcher } from './support/smtp-catcher.js';
import { observeTopic } from './support/topic-observer.js';

const run = randomUUID().slice(0, 8);
const prefix = `e2e-${run}.`;
const hosts: Host[] = [];
const printed: string[] = [];
let smtp: SmtpCatcher;
let observerBus: Bus;

beforeAll(async () => {
  smtp = await startSmtpCatcher();
  const env = {
    VIGIL_BUS: 'kafka',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    VIGIL_TOPIC_PREFIX: prefix,
    VIGIL_CLUSTER: 'e2e',
    VIGIL_NODE: `node-${run}`,
    VIGIL_INTERVAL_MS: '500',
    VIGIL_SMTP_URL: smtp.url,
    VIGIL_EMAIL_TO: 'sre@example.com',
    VIGIL_LOG_LEVEL: 'warn',
  };
  const logger = createLogger({ level: 'warn' });
  for (const name of startOrder) {
    // Each service gets its own host and so its own Kafka client, as in a real deployment.
    const host = await startHost({ services: [await loadService(name)], env, http: false, logger, print: (line) => printed.push(line) });
    hosts.push(host);
    if (name !== 'collector') await host.started;
  }
  observerBus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: `observer-${run}` });
  await observerBus.connect();
}, 120_000);

afterAll(async () => {
  for (const host of hosts.reverse()) await host.close();
  await observerBus?.close();
  await smtp?.close();
});

test('a memory hog on this machine ends as a report, a health update, a printed line, an email and notifications', async () => {
  const reports = await observeTopic(observerBus, 'diagnosis.reports', { prefix, group: `reports-${run}` });
  const health = await observeTopic(observerBus, 'health.updates', { prefix, group: `health-${run}` });
  const notifications = await observeTopic(observerBus, 'notifications', { prefix, group: `notifications-${run}` });
  await hosts.at(-1)!.started;
  await new Promise((resolve) => setTimeout(resolve, 7_000)); // the detector's windows fill with normal behaviour

  const hog = spawnMemoryHog({ rateMiBps: 40, capMiB: 1200, seconds: 90 });
  try {
    const pid = String(hog.pid);
    const report = await reports.waitFor((r) => r.rootCause.summary.includes(`pid ${pid}`), 90_000);
    expect(report.rootCause.code).toBe('MEMORY_LEAK_PROCESS');
    expect(report.scenario).toBe('MEMORY');
    expect(report.entity).toMatchObject({ cluster: 'e2e', node: `node-${run}` });
    expect(report.evidence.some((fact) => fact.unit.includes('bytes') && fact.value > 0)).toBe(true);
    expect(report.suggestions.length).toBeGreaterThan(0);

    const nodeHealth = await health.waitFor((h) => h.level === 'NODE' && h.entity.node === `node-${run}` && h.items.some((item) => item.sourceId === report.id), 30_000);
    expect(nodeHealth.score).toBeLessThan(100);

    const viaEmail = await notifications.waitFor((n) => n.channel === 'email' && n.sourceIds.includes(report.id), 30_000);
    expect(viaEmail.status).toBe('SENT');
    const viaStdout = await notifications.waitFor((n) => n.channel === 'stdout' && n.sourceIds.includes(report.id), 30_000);
    expect(viaStdout.status).toBe('SENT');

    expect(printed.some((line) => line.includes(`pid ${pid}`) && line.includes('MEMORY_LEAK_PROCESS'))).toBe(true);
    const mail = smtp.mails.find((m) => m.text?.includes(`pid ${pid}`));
    expect(mail?.subject).toMatch(/MEMORY/);
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toContain('sre@example.com');
  } finally {
    hog.kill('SIGTERM');
    await Promise.all([reports.close(), health.close(), notifications.close()]);
  }
}, 180_000);
