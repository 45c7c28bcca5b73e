/** The collector's commands as a user runs them: the real `vigil` binary, this machine, the test Kafka. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus } from '../src/bus/create-bus.js';
import type { MetricBatch } from '../src/codec/records.generated.js';
import { schemaRegistryClient } from '../src/codec/schema-registry-client.js';
import { createWireFormat, registrySchemaId } from '../src/codec/wire-format.js';
import { kafkaBrokers } from './support/kafka-broker.js';
import { startSchemaRegistry } from './support/schema-registry-server.js';
import { observeTopic } from './support/topic-observer.js';
import { repoRoot, spawnVigil } from './support/vigil-process.js';

const quiet = { VIGIL_LOG_LEVEL: 'warn', VIGIL_KUBERNETES: 'off', VIGIL_NODE: 'capture-node' };
const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | string; stdout: string[]; stderr: string[] }> {
  const vigil = spawnVigil(args, { ...quiet, ...env });
  const code = await vigil.exited();
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the last lines arrive
  return { code, stdout: vigil.stdout, stderr: vigil.stderr };
}

describe('vigil collect, capture and replay', () => {
  it("collect --once --format prom on node_exporter's fixture tree prints node_exporter's MemTotal", async () => {
    const { code, stdout } = await run(['collect', '--once', '--root', join(repoRoot, 'test/fixtures/node_exporter'), '--format', 'prom']);
    expect(code).toBe(0);
    expect(stdout).toContain('node_memory_MemTotal_bytes 3831959552');
    expect(stdout).toContain('node_load1 0.21');
    expect(stdout.filter((line) => line.startsWith('# source ')).length).toBeGreaterThan(5);
  }, 60_000);

  it('capture writes a bundle that collect --root reads like this machine, and replay publishes it to metrics.raw', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vigil-bundle-'));
    directories.push(out);
    const captured = await run(['capture', '--out', out, '--interval', '1']);
    expect(captured.code).toBe(0);
    expect(captured.stdout.join('\n')).toContain(`${join(out, '0')}:`);
    const meta = JSON.parse(await readFile(join(out, 'meta.json'), 'utf8')) as { host: string; copies: { timestampMs: number }[]; missing: string[] };
    expect(meta.host).toBe('capture-node');
    expect(meta.missing.join('\n')).toContain('k8s/');

    const collected = await run(['collect', '--once', '--root', join(out, '0')]);
    expect(collected.code).toBe(0);
    const batches = collected.stdout.filter(Boolean).map((line) => JSON.parse(line) as MetricBatch);
    const memTotal = batches.find((batch) => batch.source === 'proc.meminfo')?.samples.find((sample) => sample.name === 'node_memory_MemTotal_bytes');
    expect(memTotal?.value).toBe(totalmem());
    expect(batches.map((batch) => batch.source)).toEqual(expect.arrayContaining(['proc.stat', 'proc.processes', 'proc.netstat']));

    const prefix = `replay-${process.pid}-${Date.now()}.`;
    const bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: 'replay-observer' });
    await bus.connect();
    const observer = await observeTopic(bus, 'metrics.raw', { prefix, group: `observer-${prefix}` });
    try {
      const replayed = await run(['replay', out, '--speed', '0'], { VIGIL_BUS: 'kafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix });
      expect(replayed.code).toBe(0);
      const count = Number(/published (\d+) batches/.exec(replayed.stdout.join('\n'))?.[1]);
      expect(count).toBeGreaterThan(10);
      await observer.waitFor(() => observer.records.length >= count, 30_000);
      expect(new Set(observer.records.map((batch) => batch.timestampMs))).toEqual(new Set(meta.copies.map((copy) => copy.timestampMs)));
      expect(new Set(observer.records.map((batch) => batch.node))).toEqual(new Set(['capture-node']));
      // The second copy carries rates computed from the first, as the live collector would have.
      expect(observer.records.some((batch) => batch.samples.some((sample) => sample.name === 'process_cpu_usage_cores'))).toBe(true);
    } finally {
      await observer.close();
      await bus.close();
    }
  }, 120_000);

  it('replay writes in the Schema Registry framing when VIGIL_SCHEMA_REGISTRY_URL is set, as the services do', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'vigil-replay-registry-'));
    directories.push(directory);
    const collected = await run(['collect', '--once', '--root', join(repoRoot, 'test/fixtures/node_exporter'), '--format', 'json']);
    expect(collected.code).toBe(0);
    const recording = join(directory, 'recording.jsonl');
    await writeFile(recording, `${collected.stdout.join('\n')}\n`);

    const registry = await startSchemaRegistry();
    const prefix = `replay-registry-${process.pid}-${Date.now()}.`;
    const bus = createBus({ kind: 'kafka', brokers: kafkaBrokers(), clientId: 'replay-registry-observer' });
    await bus.connect();
    const values: Buffer[] = [];
    const subscription = await bus.subscribe({ topic: `${prefix}metrics.raw`, group: `observer-${prefix}`, fromBeginning: true, handler: async (record) => { if (record.value) values.push(record.value); } });
    try {
      const env = { VIGIL_BUS: 'kafka', KAFKA_BROKERS: kafkaBrokers().join(','), VIGIL_TOPIC_PREFIX: prefix, VIGIL_SCHEMA_REGISTRY_URL: registry.url };
      const replayed = await run(['replay', recording, '--speed', '0'], env);
      expect(replayed.code).toBe(0);
      const count = Number(/published (\d+) batches/.exec(replayed.stdout.join('\n'))?.[1]);
      expect(count).toBeGreaterThan(5);
      const deadline = Date.now() + 30_000;
      while (values.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(values).toHaveLength(count);
      expect(registry.subjects.has(`${prefix}metrics.raw-value`)).toBe(true);
      const wire = createWireFormat({ topicPrefix: prefix, registry: schemaRegistryClient({ url: registry.url }) });
      const batches = await Promise.all(values.map(async (value) => {
        expect(registrySchemaId(value)).toBeGreaterThan(0);
        return wire.codec('metrics.raw').decode(value);
      }));
      expect(batches.flatMap((batch) => batch.samples).find((sample) => sample.name === 'node_memory_MemTotal_bytes')?.value).toBe(3831959552);
    } finally {
      await subscription.close();
      await bus.close();
      await registry.close();
    }
  }, 120_000);

  it('collect with a bad setting exits 2 naming the variable', async () => {
    const { code, stderr } = await run(['collect', '--once'], { VIGIL_SCRAPE_TARGETS: 'node=ftp://x/metrics' });
    expect(code).toBe(2);
    expect(stderr.join('\n')).toContain('VIGIL_SCRAPE_TARGETS');
  }, 60_000);
});
