/**
 * A metrics.raw stream for one node with memory dips at chosen points: the meminfo and process
 * samples are taken from a real scrape of this machine's /proc; only MemAvailable is scripted.
 */
import { createCollector } from '../../services/collector/collector.js';
import { createHostFiles } from '../../services/collector/host-files.js';
import { defaultSources } from '../../services/collector/sources/default-sources.js';
import { deterministicId } from '../../src/codec/ids.js';
import type { MetricBatch, Sample } from '../../src/codec/records.generated.js';

const GiB = 1024 ** 3;

export interface DipStreamOptions {
  cluster: string;
  node: string;
  points: number;
  /** [from, to) point ranges where MemAvailable drops by 3 GiB. */
  dips: [number, number][];
  startMs?: number;
  stepMs?: number;
  /** Processes in each process-table batch (the scene). Default 10. */
  topProcesses?: number;
}

export async function memoryDipStream(options: DipStreamOptions): Promise<MetricBatch[]> {
  const { batches: scrape } = await createCollector(createHostFiles({ procRoot: '/proc', sysRoot: '/sys' }), defaultSources({ topProcesses: options.topProcesses ?? 10 })).collect(Date.now());
  const meminfo = scrape.find((result) => result.source === 'proc.meminfo')!.samples;
  const processes = scrape.find((result) => result.source === 'proc.processes')!.samples;
  const baseline = meminfo.find((sample) => sample.name === 'node_memory_MemAvailable_bytes')!.value;
  const startMs = options.startMs ?? 1_760_000_000_000;
  const stepMs = options.stepMs ?? 1_000;
  const batches: MetricBatch[] = [];
  for (let point = 0; point < options.points; point++) {
    const timestampMs = startMs + point * stepMs;
    const inDip = options.dips.some(([from, to]) => point >= from && point < to);
    // A few MiB of deterministic jitter, like an idle machine.
    const available = baseline - (inDip ? 3 * GiB : 0) + ((point * 7919) % 11) * 1024 * 1024;
    const memory: Sample[] = meminfo.map((sample) => sample.name === 'node_memory_MemAvailable_bytes' ? { ...sample, value: available } : sample);
    const batch = (source: string, samples: Sample[]): MetricBatch => ({
      id: deterministicId(options.cluster, options.node, source, timestampMs), cluster: options.cluster, node: options.node, source, timestampMs, samples,
    });
    batches.push(batch('proc.meminfo', memory), batch('proc.processes', processes));
  }
  return batches;
}
