import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/codec/records.generated.js';
import type { CgroupAttribution } from '../attribution.js';
import { problemList } from '../core/problems.js';
import { createHostFiles, type HostFiles } from '../host-files.js';
import { fixturePath } from '../testing/fixtures.js';
import { openFilesUnder } from '../testing/open-files.js';
import { processSource, type ProcessSourceOptions } from './processes.js';

const kB = 1024;
const eksContainer = '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice/cri-containerd-1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496.scope';
const vim = { pid: '26231', comm: 'vim', state: 'R', cgroup: eksContainer };

const temporaryDirectories: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(temporaryDirectories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

/**
 * A proc tree: procfs's full process directory 26231 (stat, status, io, schedstat, cmdline) with the
 * /proc/<pid>/cgroup of an EKS container, and procfs's 584 (comm with parentheses, stat only).
 */
async function procfsTree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vigil-processes-'));
  temporaryDirectories.push(root);
  await cp(fixturePath('procfs', 'proc', '26231'), join(root, '26231'), { recursive: true });
  await rm(join(root, '26231', 'net'), { recursive: true, force: true });
  await cp(fixturePath('cgroup', 'elastic', 'amzn2', 'proc', '493239', 'cgroup'), join(root, '26231', 'cgroup'));
  await cp(fixturePath('procfs', 'proc', '584'), join(root, '584'), { recursive: true });
  return root;
}

/** A process directory with only what ranking reads: stat (state, utime, rss) and optionally io/schedstat. */
async function writeProcess(root: string, pid: number, options: { state?: string; utime?: number; rssPages?: number; start?: number; writeBytes?: number; runDelayNs?: number }): Promise<void> {
  const { state = 'S', utime = 0, rssPages = 1, start = 100, writeBytes, runDelayNs } = options;
  await mkdir(join(root, String(pid)), { recursive: true });
  await writeFile(join(root, String(pid), 'stat'), `${pid} (p${pid}) ${state} 1 1 1 0 -1 0 0 0 0 0 ${utime} 0 0 0 20 0 1 0 ${start} 1000 ${rssPages} 0\n`);
  if (writeBytes !== undefined) await writeFile(join(root, String(pid), 'io'), `read_bytes: 0\nwrite_bytes: ${writeBytes}\n`);
  if (runDelayNs !== undefined) await writeFile(join(root, String(pid), 'schedstat'), `${utime * 1e7} ${runDelayNs} 10\n`);
}

function collector(procRoot: string | HostFiles, options: Partial<ProcessSourceOptions> = {}) {
  const source = processSource({ topProcesses: 15, pageSizeBytes: 4096, ...options });
  const files = typeof procRoot === 'string' ? createHostFiles({ procRoot, sysRoot: join(procRoot, 'no-sys') }) : procRoot;
  return async (nowMs: number): Promise<{ samples: Sample[]; problems: string[] }> => {
    const problems = problemList();
    const batches = await source.collect({ files, problems, nowMs });
    expect(batches.map((batch) => batch.source)).toEqual(['proc.processes']);
    return { samples: batches.flatMap((batch) => batch.samples), problems: problems.list };
  };
}

const valueOf = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
const pidsOf = (samples: readonly Sample[]): string[] => samples.filter((s) => s.name === 'process_info').map((s) => s.labels.pid ?? '');

describe('proc.processes on fixture trees', () => {
  it('reads stat, status, io, schedstat, cmdline and cgroup of a full process directory, exactly', async () => {
    const { samples, problems } = await collector(await procfsTree())(1_000);
    expect(problems).toEqual([]);
    const vimSamples = samples.filter((s) => s.labels.pid === '26231');
    expect(Object.fromEntries(vimSamples.filter((s) => s.name !== 'process_info').map((s) => [s.name, s.value]))).toEqual({
      process_rss_bytes: 1981 * 4096,
      process_resident_anon_bytes: 2092 * kB,
      process_resident_file_bytes: 4624 * kB,
      process_resident_shmem_bytes: 0,
      process_threads: 1,
      process_cpu_seconds_total: (1677 + 44) / 100,
      process_io_read_bytes_total: 1024,
      process_io_write_bytes_total: 2048,
      process_run_delay_seconds_total: 0.093680043,
    });
    expect(vimSamples.every((s) => s.name === 'process_info' || JSON.stringify(s.labels) === JSON.stringify(vim))).toBe(true);
    expect(vimSamples.find((s) => s.name === 'process_info')?.labels).toEqual({ ...vim, cmdline: 'vim test.go +10', ppid: '5392' });
    // 584 has only a stat: no memory breakdown, no I/O, no cgroup label, an empty command line.
    expect(samples.filter((s) => s.labels.pid === '1020').map((s) => s.name)).toEqual(['process_rss_bytes', 'process_threads', 'process_cpu_seconds_total', 'process_info']);
    expect(valueOf(samples, 'process_info', { pid: '1020' })).toBe(1);
    expect(samples.find((s) => s.labels.pid === '1020')?.labels).toEqual({ pid: '1020', comm: '(a b ) ( c d) ', state: 'R' });
  });

  it('merges the attribution of the cgroup into every sample of the process', async () => {
    const seen: string[] = [];
    const attribute: CgroupAttribution = (path) => {
      seen.push(path);
      const labels: Record<string, string> = path === eksContainer ? { namespace: 'shop', pod: 'cart-7d9f', container: 'cart' } : {};
      return labels;
    };
    const { samples } = await collector(await procfsTree(), { attribute })(1_000);
    expect(seen).toEqual([eksContainer]);
    const vimSamples = samples.filter((s) => s.labels.pid === '26231');
    expect(vimSamples.length).toBeGreaterThan(5);
    expect(vimSamples.every((s) => s.labels.namespace === 'shop' && s.labels.pod === 'cart-7d9f' && s.labels.container === 'cart')).toBe(true);
  });

  it('computes I/O and run delay rates from the second cycle on', async () => {
    const root = await procfsTree();
    const collect = collector(root);
    await collect(1_000);
    const stat = await readFile(join(root, '26231', 'stat'), 'utf8');
    await writeFile(join(root, '26231', 'stat'), stat.replace(' 1677 44 ', ' 1777 44 ')); // 1 s of CPU
    await writeFile(join(root, '26231', 'io'), (await readFile(join(root, '26231', 'io'), 'utf8')).replace('write_bytes: 2048', 'write_bytes: 4196352'));
    await writeFile(join(root, '26231', 'schedstat'), '1411605849 593680043 90\n'); // +0.5 s waiting
    const { samples } = await collect(3_000);
    expect(valueOf(samples, 'process_cpu_usage_cores', { pid: '26231' })).toBeCloseTo(0.5, 12);
    expect(valueOf(samples, 'process_io_write_bytes_per_second', { pid: '26231' })).toBe((4196352 - 2048) / 2);
    expect(valueOf(samples, 'process_io_read_bytes_per_second', { pid: '26231' })).toBe(0);
    expect(valueOf(samples, 'process_run_delay_ratio', { pid: '26231' })).toBeCloseTo(0.25, 12);
  });

  it('carries io and schedstat of a sleeping process that used no CPU forward (rates 0), and re-reads them once it runs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vigil-processes-'));
    temporaryDirectories.push(root);
    await writeProcess(root, 10, { utime: 5, writeBytes: 1000, runDelayNs: 0 });
    const collect = collector(root);
    await collect(0);
    await writeFile(join(root, '10', 'io'), 'read_bytes: 0\nwrite_bytes: 5000\n');
    const idle = (await collect(5_000)).samples;
    expect([valueOf(idle, 'process_io_write_bytes_total'), valueOf(idle, 'process_io_write_bytes_per_second')]).toEqual([1000, 0]);
    await writeProcess(root, 10, { utime: 6, writeBytes: 21000, runDelayNs: 0 });
    const ran = (await collect(10_000)).samples;
    expect([valueOf(ran, 'process_io_write_bytes_total'), valueOf(ran, 'process_io_write_bytes_per_second')]).toEqual([21000, 2000]); // 20,000 bytes over 10 s since the last read
  });

  it('skips, without a problem, a process that exits between its stat and its status', async () => {
    const root = await procfsTree();
    const files = createHostFiles({ procRoot: root, sysRoot: join(root, 'no-sys') });
    const exitingAfterStat: HostFiles = {
      ...files,
      readTextSync(file, problems, options) {
        const text = files.readTextSync(file, problems, options);
        if ((typeof file === 'string' ? file : file.hostPath) === 'proc/26231/schedstat') rmSync(join(root, '26231'), { recursive: true });
        return text;
      },
    };
    const { samples, problems } = await collector(exitingAfterStat)(1_000);
    expect(problems).toEqual([]);
    expect(pidsOf(samples)).toEqual(['1020']);
  });

  it('includes a process in D state outside every top n', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vigil-processes-'));
    temporaryDirectories.push(root);
    for (let pid = 10; pid < 20; pid++) await writeProcess(root, pid, { utime: pid, rssPages: pid * 100, writeBytes: pid, runDelayNs: pid });
    await writeProcess(root, 30, { state: 'D', rssPages: 1, writeBytes: 0, runDelayNs: 0 });
    const { samples } = await collector(root, { topProcesses: 1 })(0);
    expect(pidsOf(samples)).toEqual(['19', '30']);
    expect(samples.find((s) => s.labels.pid === '30')?.labels.state).toBe('D');
  });

  it('gives no rates to a reused pid (another start time)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vigil-processes-'));
    temporaryDirectories.push(root);
    await writeProcess(root, 10, { utime: 5, writeBytes: 1000, runDelayNs: 10 });
    const collect = collector(root);
    await collect(0);
    await writeProcess(root, 10, { utime: 50, start: 999, writeBytes: 9000, runDelayNs: 90 });
    const { samples } = await collect(5_000);
    expect(samples.filter((s) => s.labels.pid === '10').map((s) => s.name)).toEqual([
      'process_rss_bytes', 'process_threads', 'process_cpu_seconds_total', 'process_io_read_bytes_total',
      'process_io_write_bytes_total', 'process_run_delay_seconds_total', 'process_info',
    ]);
  });

  it('keeps no file of a process open once the process is gone from /proc', async () => {
    const root = await procfsTree();
    const files = createHostFiles({ procRoot: root, sysRoot: join(root, 'no-sys') });
    const collect = collector(files);
    await collect(1_000);
    expect(openFilesUnder(join(root, '26231')).length).toBeGreaterThan(0); // kept between cycles
    await rm(join(root, '26231'), { recursive: true });
    await collect(6_000);
    expect(openFilesUnder(join(root, '26231'))).toEqual([]);
    files.close();
  });

  it('reports unreadable io files once per cycle, not once per process', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vigil-processes-'));
    temporaryDirectories.push(root);
    for (const pid of [10, 11, 12]) {
      await writeProcess(root, pid, { utime: 1 });
      await mkdir(join(root, String(pid), 'io')); // EISDIR, as EACCES would be without root
    }
    const { samples, problems } = await collector(root)(0);
    expect(problems).toEqual([expect.stringMatching(/cannot read .*\/10\/io: EISDIR \(and 2 more \/proc\/<pid>\/io problems this cycle\)/)]);
    expect(pidsOf(samples)).toEqual(['10', '11', '12']);
  });
});

describe("proc.processes on this machine's /proc", () => {
  /** A child running `script` with node, and a way to wait for a line it prints. */
  function child(script: string): { process: ChildProcess; printed: (line: string) => Promise<void> } {
    const process_ = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(process_);
    let output = '';
    process_.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const printed = (line: string): Promise<void> => new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes(`${line}\n`)) { clearInterval(timer); resolve(); }
        if (process_.exitCode !== null) { clearInterval(timer); reject(new Error(`child exited ${process_.exitCode} before "${line}"`)); }
      }, 5);
    });
    return { process: process_, printed };
  }

  it('shows the bytes a child wrote and fsynced in its process_io_write_bytes_total', async () => {
    // A directory on the repository's disk (.vigil/ is ignored by git): /tmp may be tmpfs, whose writes are not storage I/O.
    const scratch = fileURLToPath(new URL('../../../.vigil/', import.meta.url));
    await mkdir(scratch, { recursive: true });
    const directory = await mkdtemp(join(scratch, 'process-io-'));
    temporaryDirectories.push(directory);
    const bytes = 32 * 1024 * 1024;
    const writer = child(`
      const fs = require('node:fs');
      process.stdin.once('data', () => {
        const fd = fs.openSync(${JSON.stringify(join(directory, 'written'))}, 'w');
        const chunk = Buffer.alloc(1 << 20, 7);
        for (let i = 0; i < ${bytes} / chunk.length; i++) fs.writeSync(fd, chunk);
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        const until = process.cpuUsage().user + 50000; while (process.cpuUsage().user < until);
        console.log('written');
      });
      console.log('ready');
      setInterval(() => {}, 1000);
    `);
    await writer.printed('ready');
    const collect = collector('/proc');
    const before = await collect(Date.now());
    const pid = String(writer.process.pid);
    writer.process.stdin?.write('go\n');
    await writer.printed('written');
    const after = await collect(Date.now());
    // The reader re-reads io only of processes that used CPU since their last reading; the child
    // burns 50 ms of CPU so that this test does not depend on the tick its writes happened to cost.
    expect(valueOf(after.samples, 'process_io_write_bytes_total', { pid })).toBeGreaterThanOrEqual(bytes);
    expect(valueOf(after.samples, 'process_io_write_bytes_per_second', { pid })).toBeGreaterThan(0);
    expect(valueOf(before.samples, 'process_io_write_bytes_total', { pid }) ?? 0).toBeLessThan(bytes);
  });

  it('shows CPU usage and run delay of busy children contending for the CPUs, in our own cgroup', async () => {
    const busy = Array.from({ length: availableParallelism() + 1 }, () => child(`console.log('busy'); for (;;);`));
    for (const b of busy) await b.printed('busy');
    const collect = collector('/proc');
    await collect(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const { samples, problems } = await collect(Date.now());
    // Even root may not read every /proc/<pid>/io (a pid 1 with capabilities this process lacks, in a sandbox): reported, not fatal.
    expect(problems.filter((problem) => !/\/io: EACCES/.test(problem))).toEqual([]);
    const pids = busy.map((b) => String(b.process.pid));
    const usage = pids.map((pid) => valueOf(samples, 'process_cpu_usage_cores', { pid }) ?? 0);
    // Together they get a good share of the CPUs even when other tests load the machine.
    expect(usage.reduce((sum, cores) => sum + cores, 0)).toBeGreaterThan(0.2);
    const delays = pids.map((pid) => valueOf(samples, 'process_run_delay_seconds_total', { pid }) ?? 0);
    expect(delays.some((delay) => delay > 0)).toBe(true); // one busy loop more than there are CPUs: someone waits
    const ownCgroup = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
    const expected = (ownCgroup.find((line) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(line)) ?? ownCgroup.find((line) => line.startsWith('0::')))?.replace(/^\d+:[^:]*:/, '');
    expect(expected).toBeDefined();
    for (const pid of pids) expect(samples.find((s) => s.name === 'process_info' && s.labels.pid === pid)?.labels.cgroup).toBe(expected);
    expect(samples.find((s) => s.name === 'process_info' && s.labels.pid === pids[0])?.labels.cmdline).toBe(`${process.execPath} -e console.log('busy'); for (;;);`);
  });

  it('reads a kernel thread without a memory breakdown and with an empty command line', async () => {
    const { samples } = await collector('/proc', { topProcesses: 500 })(Date.now());
    const kthreadd = samples.filter((s) => s.labels.pid === '2');
    expect(kthreadd.find((s) => s.name === 'process_info')?.labels).toMatchObject({ pid: '2', comm: 'kthreadd', cmdline: '', ppid: '0' });
    expect(kthreadd.some((s) => s.name === 'process_resident_anon_bytes')).toBe(false);
  });
});
