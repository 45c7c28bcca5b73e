/**
 * The README's Node subscriber (examples/subscribe-anomalies.mjs, kafkajs + avsc, no Vigil code)
 * run as a child process against the test Kafka, after Vigil's record I/O published anomalies and
 * a diagnosis report: once in single-object encoding, once in Schema Registry framing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { createBus } from '../src/bus/create-bus.js';
import type { Anomaly, DiagnosisReport } from '../src/codec/records.generated.js';
import { schemaRegistryClient } from '../src/codec/schema-registry-client.js';
import { createWireFormat } from '../src/codec/wire-format.js';
import { createPipelineMetrics } from '../src/runtime/metrics.js';
import { createRecordIo } from '../src/runtime/record-io.js';
import { kafkaBrokers } from './support/kafka-broker.js';
import { startSchemaRegistry } from './support/schema-registry-server.js';

const example = fileURLToPath(new URL('../examples/subscribe-anomalies.mjs', import.meta.url));
const entity = { cluster: 'prod-eu', node: 'worker-7', namespace: 'payments', pod: 'ledger-7d9f8-x2k4q', container: 'ledger' };
const anomaly = (state: Anomaly['state'], severity: Anomaly['severity']): Anomaly => ({
  eventId: `e-${state}`, id: 'a-4242', entity, metric: 'process_rss_bytes', series: 'process_rss_bytes{comm="java",pid="4242"}',
  labels: { pid: '4242', comm: 'java' }, kind: 'TREND', state, severity, score: 3.7, value: 6.2e9, expectedLow: 1.1e9, expectedHigh: 2.4e9,
  models: ['robust-zscore'], openedAtMs: 1_764_000_000_000, observedAtMs: 1_764_000_600_000, resolvedAtMs: null,
});
const report: DiagnosisReport = {
  id: 'd-4242', requestId: 'r-4242', anomalyIds: ['a-4242'], entity, scenario: 'MEMORY',
  rootCause: { code: 'MEMORY_LEAK_PROCESS', summary: 'java (pid 4242) grew to 6.2 GB at 4.1 MB/s' },
  evidence: [{ name: 'rss growth rate', value: 4.1e6, unit: 'bytes/s', detail: 'pid 4242 java' }],
  suggestions: [{ action: 'Fix the leak or raise the memory limit of ledger', command: null, setting: null }],
  confidence: 0.86, severity: 'CRITICAL', kubernetes: {}, createdAtMs: 1_764_000_600_000, findings: [], missingEvidence: [],
};

async function publishAndSubscribe(framing: 'single-object' | 'schema-registry'): Promise<string[]> {
  const run = `${process.pid}-${Date.now()}-${framing}`;
  const prefix = `subscribe-${run}.`;
  const registry = framing === 'schema-registry' ? await startSchemaRegistry() : undefined;
  const wireFormat = createWireFormat({ topicPrefix: prefix, registry: registry && schemaRegistryClient({ url: registry.url }) });
  await wireFormat.prepare();
  const bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: `vigil-${run}` });
  try {
    await bus.connect();
    const io = createRecordIo({ bus, metrics: createPipelineMetrics({ defaultMetrics: false }), service: 'detector', topicPrefix: prefix, wireFormat });
    await io.publish('anomalies', [{ key: 'prod-eu/worker-7', value: anomaly('OPEN', 'WARNING') }, { key: 'prod-eu/worker-7', value: anomaly('UPDATE', 'CRITICAL') }]);
    await io.publish('diagnosis.reports', [{ key: 'prod-eu/worker-7', value: report }]);
  } finally {
    await bus.close();
  }

  const child = spawn(process.execPath, [example], {
    env: { ...process.env, KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix, GROUP_ID: `subscriber-${run}`, ...(registry ? { SCHEMA_REGISTRY_URL: registry.url } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  try {
    const deadline = Date.now() + 45_000;
    while ((stdout.match(/\n/g) ?? []).length < 3) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the example printed ${JSON.stringify(stdout)}; stderr: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    await registry?.close();
  }
  expect(stderr).not.toMatch(/unknown writer|not a Vigil record/);
  return stdout.trim().split('\n').sort();
}

test.each(['single-object', 'schema-registry'] as const)('the Node example prints what Vigil published (%s)', async (framing) => {
  expect(await publishAndSubscribe(framing)).toEqual([
    'ANOMALY OPEN WARNING prod-eu/worker-7/payments/ledger-7d9f8-x2k4q/ledger process_rss_bytes TREND value=6200000000 expected=[1100000000, 2400000000] id=a-4242',
    'ANOMALY UPDATE CRITICAL prod-eu/worker-7/payments/ledger-7d9f8-x2k4q/ledger process_rss_bytes TREND value=6200000000 expected=[1100000000, 2400000000] id=a-4242',
    'REPORT CRITICAL prod-eu/worker-7/payments/ledger-7d9f8-x2k4q/ledger MEMORY_LEAK_PROCESS: java (pid 4242) grew to 6.2 GB at 4.1 MB/s (confidence 0.86) id=d-4242',
  ]);
}, 90_000);
