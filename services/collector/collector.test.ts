import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir, totalmem, uptime, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/codec/records.generated.js';
import { createCollector, type SourceProblem } from './collector.js';
import { createHostFiles } from './host-files.js';
import type { SourceBatch } from './source.js';
import { defaultSources } from './sources/default-sources.js';

type ScrapeResult = SourceBatch;
/** The default sources over a proc tree; scrape() returns the batches, problems() the last cycle's problems. */
function createProcScraper(options: { procRoot: string; topProcesses: number; pageSizeBytes?: number }) {
  const collector = createCollector(createHostFiles({ procRoot: options.procRoot, sysRoot: join(options.procRoot, 'no-sys') }), defaultSources(options));
  let problems: SourceProblem[] = [];
  return {
    async scrape(nowMs: number): Promise<ScrapeResult[]> {
      const result = await collector.collect(nowMs);
      problems = result.problems;
      return result.batches;
    },
    problems: () => problems,
  };
}
import { fixturePath, nodeExporterOracle, oracleFamilies, seriesOf } from './testing/fixtures.js';

const nodeExporterProc = fixturePath('node_exporter', 'proc');
const samplesOf = (results: ScrapeResult[], source: string): Sample[] => {
  const result = results.find((r) => r.source === source);
  if (!result) throw new Error(`no ${source} in ${results.map((r) => r.source).join(', ')}`);
  return result.samples;
};
const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

const temporaryDirectories: string[] = [];
/** A writable copy of the node_exporter fixture /proc tree. */
async function copyOfNodeExporterProc(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'vigil-proc-'));
  temporaryDirectories.push(directory);
  await cp(nodeExporterProc, directory, { recursive: true });
  return directory;
}
afterEach(async () => {
  await Promise.all(temporaryDirectories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('the default sources on the node_exporter fixture tree', () => {
  it("returns one result per source, each equal to node_exporter's output for the tree", async () => {
    const results = await createProcScraper({ procRoot: nodeExporterProc, topProcesses: 15, pageSizeBytes: 4096 }).scrape(1_000);
    expect(results.map((r) => r.source)).toEqual(['proc.stat', 'proc.loadavg', 'proc.meminfo', 'proc.vmstat', 'proc.diskstats', 'proc.netstat', 'proc.sockstat', 'proc.schedstat', 'proc.files', 'proc.sysctl', 'proc.pressure', 'proc.processes']);
    expect(seriesOf(samplesOf(results, 'proc.stat'))).toEqual(nodeExporterOracle(oracleFamilies.stat));
    expect(seriesOf(samplesOf(results, 'proc.loadavg'))).toEqual(nodeExporterOracle(oracleFamilies.loadavg));
    expect(seriesOf(samplesOf(results, 'proc.meminfo'))).toEqual(nodeExporterOracle(oracleFamilies.meminfo));
    const vmstat = seriesOf(samplesOf(results, 'proc.vmstat'));
    for (const [key, value] of nodeExporterOracle(oracleFamilies.vmstat)) expect([key, vmstat.get(key)]).toEqual([key, value]);
    const pressureCounters = samplesOf(results, 'proc.pressure').filter((s) => s.name.endsWith('_seconds_total'));
    expect(seriesOf(pressureCounters)).toEqual(nodeExporterOracle(oracleFamilies.pressure));
  });

  it('reports the processes with RSS in bytes, and CPU usage from the second scrape on', async () => {
    const scraper = createProcScraper({ procRoot: nodeExporterProc, topProcesses: 15, pageSizeBytes: 4096 });
    const first = samplesOf(await scraper.scrape(1_000), 'proc.processes');
    expect(valueOf(first, 'process_rss_bytes', { pid: '1', comm: 'systemd', state: 'S' })).toBe(2507 * 4096);
    expect(valueOf(first, 'process_cpu_seconds_total', { pid: '11', comm: 'rcu_preempt', state: 'I' })).toBe(3.46);
    expect(first.filter((s) => s.name === 'process_rss_bytes').map((s) => s.labels.pid).sort()).toEqual(['1', '11', '17']);
    expect(first.some((s) => s.name === 'process_cpu_usage_cores')).toBe(false);
    const second = samplesOf(await scraper.scrape(6_000), 'proc.processes');
    expect(second.filter((s) => s.name === 'process_cpu_usage_cores').map((s) => [s.labels.pid, s.value])).toEqual([['1', 0], ['11', 0], ['17', 0]]);
  });
});

describe('the default sources on the procfs fixture tree', () => {
  it('reads every process with a stat, names with spaces and parentheses included, and skips pid dirs without one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vigil-procfs-'));
    temporaryDirectories.push(root);
    await cp(fixturePath('procfs', 'proc'), root, { recursive: true });
    await cp(join(nodeExporterProc, 'vmstat'), join(root, 'vmstat')); // the procfs tree has none
    const results = await createProcScraper({ procRoot: root, topProcesses: 15, pageSizeBytes: 4096 }).scrape(0);
    const rss = samplesOf(results, 'proc.processes').filter((s) => s.name === 'process_rss_bytes');
    expect(rss.map((s) => [s.labels, s.value])).toEqual([
      [{ pid: '33', comm: 'ata_sff', state: 'S' }, 0],
      [{ pid: '1020', comm: '(a b ) ( c d) ', state: 'R' }, 155 * 4096],
      [{ pid: '26231', comm: 'vim', state: 'R' }, 1981 * 4096],
      [{ pid: '27079', comm: 'pthread_load', state: 'S' }, 138 * 4096],
    ]);
    expect(valueOf(samplesOf(results, 'proc.meminfo'), 'node_memory_MemTotal_bytes')).toBe(1.6042172416e10);
    expect(valueOf(samplesOf(results, 'proc.pressure'), 'node_pressure_memory_stalled_avg300_ratio')).toBe(0.0495);
  });
});

describe('the default sources on edge cases', () => {
  it('computes usage from the tick delta and forgets a pid that vanished', async () => {
    const root = await copyOfNodeExporterProc();
    const systemdStat = readFileSync(join(root, '1', 'stat'), 'utf8');
    const scraper = createProcScraper({ procRoot: root, topProcesses: 15, pageSizeBytes: 4096 });
    await scraper.scrape(0);
    // systemd: utime 36 → 136 and stime 98 → 148 ticks, 150 ticks = 1.5 s of CPU in 2 s.
    await writeFile(join(root, '1', 'stat'), systemdStat.replace(' 36 98 ', ' 136 148 '));
    await rm(join(root, '11'), { recursive: true });
    const second = samplesOf(await scraper.scrape(2_000), 'proc.processes');
    expect(valueOf(second, 'process_cpu_usage_cores', { pid: '1' })).toBeCloseTo(0.75, 12);
    expect(second.some((s) => s.labels.pid === '11')).toBe(false);
    await cp(join(nodeExporterProc, '11'), join(root, '11'), { recursive: true });
    const third = samplesOf(await scraper.scrape(4_000), 'proc.processes');
    expect(valueOf(third, 'process_cpu_seconds_total', { pid: '11' })).toBe(3.46);
    expect(valueOf(third, 'process_cpu_usage_cores', { pid: '11' })).toBeUndefined();
  });

  it('skips a pid directory whose stat is gone, and omits pressure on a kernel without PSI', async () => {
    const root = await copyOfNodeExporterProc();
    await mkdir(join(root, '4242'));
    await rm(join(root, 'pressure'), { recursive: true });
    const results = await createProcScraper({ procRoot: root, topProcesses: 15, pageSizeBytes: 4096 }).scrape(0);
    expect(results.map((r) => r.source)).toEqual(['proc.stat', 'proc.loadavg', 'proc.meminfo', 'proc.vmstat', 'proc.diskstats', 'proc.netstat', 'proc.sockstat', 'proc.schedstat', 'proc.files', 'proc.sysctl', 'proc.processes']);
    expect(samplesOf(results, 'proc.processes').filter((s) => s.name === 'process_rss_bytes')).toHaveLength(3);
  });

  it('keeps only the union of the top n by RSS, CPU, I/O and run delay (this tree has no io or schedstat files)', async () => {
    const results = await createProcScraper({ procRoot: nodeExporterProc, topProcesses: 1, pageSizeBytes: 4096 }).scrape(0);
    // Most RSS: systemd (2507 pages); most CPU time: rcu_preempt (3.46 s, systemd 1.34 s, khungtaskd 0.14 s).
    expect(samplesOf(results, 'proc.processes').filter((s) => s.name === 'process_rss_bytes').map((s) => s.labels.comm)).toEqual(['systemd', 'rcu_preempt']);
  });

  it.each([
    ['a process stat that cannot be read', async (root: string) => { await mkdir(join(root, '4243', 'stat'), { recursive: true }); }, 'proc.processes', /cannot read .*4243\/stat: EISDIR/],
    ['a process stat that is malformed', async (root: string) => { await mkdir(join(root, '4244')); await writeFile(join(root, '4244', 'stat'), '4244 no comm\n'); }, 'proc.processes', /no \(comm\)/],
    ['a malformed /proc/loadavg', async (root: string) => { await writeFile(join(root, 'loadavg'), 'busy 0.37 0.39 1/719 19737\n'); }, 'proc.loadavg', /loadavg node_load1: expected a number, got "busy"/],
    ['a meminfo line with garbage', async (root: string) => { await writeFile(join(root, 'meminfo'), 'MemTotal: 3742148 kB\nMemFree: lots kB\n'); }, 'proc.meminfo', /meminfo MemFree/],
  ])('skips and reports %s, and still publishes everything else', async (_name, damage, source, message) => {
    const root = await copyOfNodeExporterProc();
    await damage(root);
    const scraper = createProcScraper({ procRoot: root, topProcesses: 15, pageSizeBytes: 4096 });
    const results = await scraper.scrape(0);
    expect(scraper.problems()).toEqual([{ source, problem: expect.stringMatching(message) }]);
    expect(samplesOf(results, 'proc.processes').filter((s) => s.name === 'process_rss_bytes')).toHaveLength(3);
    expect(valueOf(samplesOf(results, 'proc.stat'), 'node_procs_running')).toBeGreaterThan(0);
  });

  it('treats a missing /proc/vmstat as an absent source, not a problem', async () => {
    const root = await copyOfNodeExporterProc();
    await rm(join(root, 'vmstat'));
    const scraper = createProcScraper({ procRoot: root, topProcesses: 15, pageSizeBytes: 4096 });
    expect((await scraper.scrape(0)).map((r) => r.source)).not.toContain('proc.vmstat');
    expect(scraper.problems()).toEqual([]);
  });
});

describe("the default sources on this machine's /proc", () => {
  it('reports what a user would check: total memory, boot time, its own process with its RSS and CPU usage', async () => {
    const scraper = createProcScraper({ procRoot: '/proc', topProcesses: 15 });
    const ballastBytes = 256 * 1024 * 1024;
    const ballast = Buffer.alloc(ballastBytes, 1); // filled, so every page is resident
    const first = await scraper.scrape(Date.now());
    const rssSeenByNode = process.memoryUsage().rss;

    expect(valueOf(samplesOf(first, 'proc.meminfo'), 'node_memory_MemTotal_bytes')).toBe(totalmem());
    const bootTimeSeconds = valueOf(samplesOf(first, 'proc.stat'), 'node_boot_time_seconds') ?? 0;
    expect(Math.abs(bootTimeSeconds - (Date.now() / 1000 - uptime()))).toBeLessThan(60);
    expect(valueOf(samplesOf(first, 'proc.loadavg'), 'node_load1')).toBeGreaterThanOrEqual(0);

    const own = { pid: String(process.pid) };
    const ownRss = valueOf(samplesOf(first, 'proc.processes'), 'process_rss_bytes', own);
    expect(ownRss).toBeGreaterThanOrEqual(ballastBytes);
    expect(Math.abs((ownRss ?? 0) - rssSeenByNode) / rssSeenByNode).toBeLessThan(0.1);
    expect(samplesOf(first, 'proc.processes').find((s) => s.labels.pid === own.pid)?.labels.state).toMatch(/^[A-Z]$/);
    expect(valueOf(samplesOf(first, 'proc.processes'), 'process_cpu_usage_cores', own)).toBeUndefined();

    const cpuBefore = process.cpuUsage();
    let spin = 0;
    const cpuMicroseconds = (): number => { const used = process.cpuUsage(cpuBefore); return used.user + used.system; };
    while (cpuMicroseconds() < 200_000) spin += ballast[spin % ballastBytes] ?? 0;
    const second = await scraper.scrape(Date.now());
    const usage = valueOf(samplesOf(second, 'proc.processes'), 'process_cpu_usage_cores', own);
    expect(usage).toBeGreaterThan(0);
    expect(usage).toBeLessThanOrEqual(availableParallelism() + 1);
    expect(ballast.length).toBe(ballastBytes);
  });
});
