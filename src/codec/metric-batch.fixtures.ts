/**
 * MetricBatch fixtures shared by the codec tests and bench/codec.bench.ts: realistic scrapes (vmstat
 * and process-table names, one sample in three labelled {pid, comm}), random batches for property
 * tests, and an encoder that splits arrays and maps into blocks the way other Avro writers may.
 */
import type { MetricBatch, Sample } from './records.generated.js';

/** A small seeded PRNG (mulberry32), so fixtures are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const vmstatNames = [
  'node_vmstat_pgscan_direct', 'node_vmstat_pgscan_kswapd', 'node_vmstat_pgsteal_direct', 'node_vmstat_pgsteal_kswapd',
  'node_vmstat_pgfault', 'node_vmstat_pgmajfault', 'node_vmstat_pswpin', 'node_vmstat_pswpout', 'node_vmstat_oom_kill',
  'node_vmstat_allocstall_normal', 'node_vmstat_compact_stall', 'node_vmstat_thp_fault_alloc', 'node_vmstat_nr_dirty',
  'node_vmstat_nr_writeback', 'node_vmstat_workingset_refault_file', 'node_memory_MemAvailable_bytes',
  'node_memory_Dirty_bytes', 'node_memory_Cached_bytes', 'node_pressure_memory_some_avg10', 'node_pressure_io_full_avg10',
];
const processNames = ['process_rss_bytes', 'process_cpu_seconds_total', 'process_open_fds', 'process_io_read_bytes_total'];
const commands = ['java', 'postgres', 'kubelet', 'containerd', 'node_exporter', 'nginx', 'python3', 'etcd', 'coredns', 'envoy'];

/**
 * One realistic scrape of `sampleCount` samples: two unlabelled node series for every process
 * series labelled {pid, comm}. `seed` varies the node, the pids and the values.
 */
export function realisticMetricBatch(seed: number, sampleCount = 200): MetricBatch {
  const random = seededRandom(seed);
  const node = `worker-${seed % 16}.prod-eu-west-1.internal`;
  const pidBase = 1000 + Math.floor(random() * 30000);
  const samples: Sample[] = [];
  for (let i = 0; i < sampleCount; i++) {
    if (i % 3 === 2) {
      const process = Math.floor(i / 3);
      samples.push({
        name: processNames[process % processNames.length]!,
        labels: { pid: String(pidBase + Math.floor(process / processNames.length)), comm: commands[process % commands.length]! },
        value: Math.floor(random() * 2 ** 32),
      });
    } else {
      samples.push({ name: vmstatNames[i % vmstatNames.length]!, labels: {}, value: Math.floor(random() * 1e9) / (i % 5 === 0 ? 100 : 1) });
    }
  }
  return {
    id: `${seed.toString(16).padStart(8, '0')}c0ffee${(seed * 7919).toString(16).padStart(18, '0')}`,
    cluster: 'prod-eu-west-1',
    node,
    source: 'proc.vmstat',
    timestampMs: 1_764_000_000_000 + seed * 15_000,
    samples,
  };
}

/**
 * Successive scrapes of `nodes` nodes, as a consumer of metrics.raw sees them (nodes interleaved):
 * each node keeps its series from one scrape to the next while the values move, and one process in
 * `churnEvery` is replaced (new pid) per scrape, as short-lived processes come and go.
 */
export function successiveScrapes(nodes: number, scrapesPerNode: number, churnEvery = 20): MetricBatch[] {
  const batches: MetricBatch[] = [];
  const firstScrape = Array.from({ length: nodes }, (_, node) => realisticMetricBatch(node));
  for (let scrape = 0; scrape < scrapesPerNode; scrape++) {
    for (let node = 0; node < nodes; node++) {
      const random = seededRandom(scrape * nodes + node + 1);
      const first = firstScrape[node]!;
      const samples = first.samples.map((sample, index) => {
        const pid = sample.labels.pid;
        // Process (index / 3) is replaced on scrapes where it falls in this scrape's churn window.
        const process = Math.floor(index / 3);
        const churned = pid !== undefined && process % churnEvery === scrape % churnEvery && scrape > 0;
        return {
          name: sample.name,
          labels: churned ? { ...sample.labels, pid: String(Number(pid) + 50_000 + scrape) } : sample.labels,
          value: sample.value + Math.floor(random() * 1000),
        };
      });
      batches.push({ ...first, id: `${first.id.slice(0, 24)}${scrape.toString(16).padStart(8, '0')}`, timestampMs: first.timestampMs + scrape * 5_000, samples });
    }
  }
  return batches;
}

const alphabet = ['a', 'z', '_', '0', '9', '.', ' ', 'é', 'ß', '中', '文', '😀', '\u0000', '\u00ff', '{', '"'];

function randomString(random: () => number, maxLength: number): string {
  const length = Math.floor(random() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)]!;
  return text;
}

/** A random batch: empty and long strings, non-ASCII, empty and large label maps, extreme values. */
export function randomMetricBatch(random: () => number): MetricBatch {
  const extremes = [0, -0, 1.5, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, NaN];
  const sampleCount = random() < 0.1 ? 0 : Math.floor(random() * 60);
  const samples: Sample[] = [];
  for (let i = 0; i < sampleCount; i++) {
    const labels: Record<string, string> = {};
    const labelCount = random() < 0.4 ? 0 : Math.floor(random() * 6);
    for (let j = 0; j < labelCount; j++) labels[randomString(random, random() < 0.1 ? 120 : 8)] = randomString(random, random() < 0.1 ? 200 : 10);
    samples.push({
      name: random() < 0.5 ? vmstatNames[Math.floor(random() * vmstatNames.length)]! : randomString(random, random() < 0.1 ? 100 : 30),
      labels,
      value: random() < 0.2 ? extremes[Math.floor(random() * extremes.length)]! : (random() - 0.5) * 10 ** Math.floor(random() * 20),
    });
  }
  const timestamps = [0, -1, 1_764_000_000_000, 2 ** 31, -(2 ** 31) - 1, 9007199254740990, -9007199254740990];
  return {
    id: randomString(random, 40),
    cluster: randomString(random, 12),
    node: randomString(random, 30),
    source: randomString(random, 15),
    timestampMs: random() < 0.5 ? timestamps[Math.floor(random() * timestamps.length)]! : Math.floor((random() - 0.5) * 2 ** 53),
    samples,
  };
}

/**
 * Encodes a MetricBatch body the way other Avro writers may: arrays and maps split into blocks of
 * at most `blockItems` items, each written as a negative count followed by the block's byte size.
 * (avsc always writes one block with a positive count.)
 */
export function encodeMetricBatchInBlocks(batch: MetricBatch, blockItems: number): Buffer {
  const parts: Buffer[] = [];
  const long = (n: number): Buffer => {
    const bytes: number[] = [];
    let zigzag = n >= 0 ? BigInt(n) * 2n : BigInt(-n) * 2n - 1n;
    do {
      let byte = Number(zigzag & 0x7fn);
      zigzag >>= 7n;
      if (zigzag > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (zigzag > 0n);
    return Buffer.from(bytes);
  };
  const string = (text: string): Buffer => {
    const bytes = Buffer.from(text, 'utf8');
    return Buffer.concat([long(bytes.length), bytes]);
  };
  const double = (value: number): Buffer => {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(value);
    return bytes;
  };
  const blocks = (items: Buffer[]): Buffer => {
    const out: Buffer[] = [];
    for (let i = 0; i < items.length; i += blockItems) {
      const block = Buffer.concat(items.slice(i, i + blockItems));
      out.push(long(-Math.min(blockItems, items.length - i)), long(block.length), block);
    }
    out.push(long(0));
    return Buffer.concat(out);
  };
  parts.push(string(batch.id), string(batch.cluster), string(batch.node), string(batch.source), long(batch.timestampMs));
  parts.push(blocks(batch.samples.map((sample) => Buffer.concat([
    string(sample.name),
    blocks(Object.entries(sample.labels).map(([key, value]) => Buffer.concat([string(key), string(value)]))),
    double(sample.value),
  ]))));
  return Buffer.concat(parts);
}
