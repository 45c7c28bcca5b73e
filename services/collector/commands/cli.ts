/** `vigil collect`, `vigil capture` and `vigil replay`: the collector's commands. */
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { createBusFromConfig } from '../../../src/bus/create-bus.js';
import { wireFormatFromConfig } from '../../../src/codec/wire-format.js';
import type { MetricBatch } from '../../../src/codec/records.generated.js';
import { loadConfig } from '../../../src/runtime/config.js';
import { createRecordIo } from '../../../src/runtime/record-io.js';
import { createPipelineMetrics } from '../../../src/runtime/metrics.js';
import { nodeKey } from '../../../src/runtime/keys.js';
import { collectorConfigSchema, type CollectorConfig } from '../collector-config.js';
import { createCollector, toMetricBatches, type CycleResult } from '../collector.js';
import { rootsUnder, setUpCollector } from '../collector-setup.js';
import { createHostFiles } from '../host-files.js';
import { fetchClusterSnapshot } from '../kubernetes/cluster-snapshot.js';
import { kubeConfigFrom } from '../kubernetes/config.js';
import { capture, type CaptureMeta } from './capture.js';
import { toExposition } from './exposition.js';
import { readKernelLogText } from './kernel-log-text.js';
import { readRecording, replay } from './recording.js';

function asBatches(config: CollectorConfig, { batches }: CycleResult, timestampMs: number): MetricBatch[] {
  return toMetricBatches(config.VIGIL_CLUSTER, config.VIGIL_NODE, batches, timestampMs);
}

function printProblems(result: CycleResult): void {
  for (const { source, problem } of result.problems) process.stderr.write(`vigil: ${source}: ${problem}\n`);
}

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}

function nonNegative(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return parsed;
}

async function vigilVersion(): Promise<string> {
  const text = await readFile(new URL('../../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Batches recorded in a capture bundle: DIR/0 and DIR/1 collected at the times meta.json gives. */
async function batchesOfCapture(config: CollectorConfig, directory: string): Promise<MetricBatch[]> {
  const meta = JSON.parse(await readFile(join(directory, 'meta.json'), 'utf8')) as CaptureMeta;
  const dmesg = join(directory, 'dmesg.txt');
  const kernelLog = await stat(dmesg).then(() => dmesg, () => false as const);
  const setup = await setUpCollector(config, { kubernetes: false, scrape: false, kernelLog, roots: rootsUnder(join(directory, meta.copies[0]!.directory)) });
  const batches: MetricBatch[] = [];
  for (const copy of meta.copies) {
    const files = createHostFiles(rootsUnder(join(directory, copy.directory)));
    const result = await createCollector(files, setup.sources).collect(copy.timestampMs);
    batches.push(...asBatches({ ...config, VIGIL_NODE: meta.host }, result, copy.timestampMs));
  }
  await setup.close();
  return batches;
}

export function registerCollectorCommands(program: Command): void {
  program
    .command('collect')
    .description('read this host (or a capture) once and print what the collector would publish')
    .option('--once', 'one cycle (the only mode; rates such as CPU usage need a second cycle and are absent)', true)
    .option('--root <dir>', 'read DIR/proc and DIR/sys instead of VIGIL_PROC_ROOT and VIGIL_SYS_ROOT (e.g. a capture copy, DIR/0)')
    .option('--format <format>', 'json (one metrics.raw batch per line) or prom (exposition text)', 'json')
    .action(async (options: { root?: string; format: string }) => {
      if (options.format !== 'json' && options.format !== 'prom') throw new InvalidArgumentError(`--format: expected json or prom, got ${options.format}`);
      const config = loadConfig(collectorConfigSchema);
      // A capture copy is read as it was: no questions to today's cluster or kernel log.
      const fromCopy = options.root !== undefined;
      const setup = await setUpCollector(config, { roots: fromCopy ? rootsUnder(options.root!) : undefined, kubernetes: !fromCopy, kernelLog: fromCopy ? false : undefined });
      await setup.pods?.ready();
      const timestampMs = Date.now();
      const result = await createCollector(setup.files, setup.sources).collect(timestampMs);
      await setup.close();
      printProblems(result);
      const batches = asBatches(config, result, timestampMs);
      process.stdout.write(options.format === 'prom' ? toExposition(batches) : batches.map((batch) => `${JSON.stringify(batch)}\n`).join(''));
    });

  program
    .command('capture')
    .description('write a support bundle of this node: DIR/0 and DIR/1 (copies of every file the collector reads), dmesg.txt, k8s/*.json, meta.json')
    .requiredOption('--out <dir>', 'directory to write (created; existing files are overwritten)')
    .option('--interval <seconds>', 'time between the two copies', positive, 5)
    .action(async (options: { out: string; interval: number }) => {
      const config = loadConfig(collectorConfigSchema);
      const setup = await setUpCollector(config, { kubernetes: false, kernelLog: false });
      const kubeConfig = await kubeConfigFrom(config);
      const { meta } = await capture({
        out: options.out,
        intervalSeconds: options.interval,
        files: setup.files,
        sources: setup.sources,
        clock: Date.now,
        sleep: (ms) => sleep(ms),
        host: config.VIGIL_NODE,
        kernel: os.release(),
        vigilVersion: await vigilVersion(),
        kernelLog: () => readKernelLogText(),
        kubernetes: async () => {
          if (!kubeConfig) return { missing: 'no cluster configured (VIGIL_KUBECONFIG, in-cluster service account or KUBECONFIG)' };
          try {
            return await fetchClusterSnapshot(kubeConfig, config.VIGIL_NODE, config.VIGIL_KUBE_TIMEOUT_MS);
          } catch (error) {
            return { missing: (error as Error).message };
          }
        },
      });
      await setup.close();
      for (const copy of meta.copies) process.stdout.write(`${join(options.out, copy.directory)}: ${copy.files} files\n`);
      for (const line of meta.missing) process.stdout.write(`missing ${line}\n`);
      process.stdout.write(`${join(options.out, 'meta.json')}\n`);
    });

  program
    .command('replay')
    .argument('<path>', 'JSON lines of metrics.raw batches (vigil collect --format json, vigil tail metrics.raw) or a capture directory')
    .description('publish recorded samples to metrics.raw with their timestamps (VIGIL_BUS=kafka or rdkafka to reach other processes)')
    .option('--speed <x>', 'replay speed: 1 = as recorded, 10 = ten times faster, 0 = as fast as possible', nonNegative, 1)
    .action(async (path: string, options: { speed: number }) => {
      const config = loadConfig(collectorConfigSchema);
      const isDirectory = (await stat(path)).isDirectory();
      const { batches, skipped } = isDirectory ? { batches: await batchesOfCapture(config, path), skipped: 0 } : await readRecording(path);
      if (skipped > 0) process.stderr.write(`vigil: ${path}: skipped ${skipped} lines that are not metrics.raw batches\n`);
      if (config.VIGIL_BUS === 'memory') process.stderr.write('vigil: VIGIL_BUS=memory: the records stay in this process; set VIGIL_BUS=kafka to reach a detector\n');
      const bus = createBusFromConfig(config, { clientId: 'vigil-replay' });
      // Written in the installation's framing (Schema Registry when configured), as the collector writes.
      const wireFormat = wireFormatFromConfig(config);
      await wireFormat.prepare();
      await bus.connect();
      const io = createRecordIo({ bus, metrics: createPipelineMetrics({ defaultMetrics: false }), service: 'replay', topicPrefix: config.VIGIL_TOPIC_PREFIX, wireFormat });
      const published = await replay({
        batches,
        speed: options.speed,
        sleep: (ms) => sleep(ms),
        publish: (group) => io.publish('metrics.raw', group.map((value) => ({ key: nodeKey(value.cluster, value.node), value }))),
      });
      await bus.close();
      process.stdout.write(`published ${published} batches to ${config.VIGIL_TOPIC_PREFIX}metrics.raw\n`);
    });
}
