import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/codec/records.generated.js';
import { createHostFiles, type HostFiles } from '../host-files.js';
import { problemList, type ProblemList } from '../core/problems.js';
import { fixturePath, seriesOf } from '../testing/fixtures.js';
import { kernelLogConfigSchema, kernelLogSource, kernelLogSourceFromConfig, type KernelLogSource } from './kmsg-source.js';

const sources: KernelLogSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.close()));
});

function track(source: KernelLogSource): KernelLogSource {
  sources.push(source);
  return source;
}

/** A host tree with only proc/uptime, so a dmesg file's times can be converted. */
function hostWithUptime(uptime: string): HostFiles {
  const root = mkdtempSync(join(tmpdir(), 'vigil-kmsg-'));
  mkdirSync(join(root, 'proc'));
  writeFileSync(join(root, 'proc', 'uptime'), uptime);
  return createHostFiles({ procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') });
}

const liveHost = createHostFiles({ procRoot: '/proc', sysRoot: '/sys' });

async function collect(source: KernelLogSource, files: HostFiles = liveHost, problems: ProblemList = problemList()): Promise<Sample[]> {
  const batches = await source.collect({ files, problems, nowMs: Date.now() });
  expect(batches.every((batch) => batch.source === 'kernel.events')).toBe(true);
  return batches.flatMap((batch) => batch.samples);
}

describe('kernelLogSource over a dmesg file', () => {
  it('publishes the events of the whole file once, then only the counters', async () => {
    const nowMs = Date.now();
    const files = hostWithUptime('7500.00 100.00\n');
    const source = track(kernelLogSource({ path: fixturePath('kernel', 'captured', 'oom', 'dmesg.txt') }));
    const problems = problemList();
    const first = seriesOf((await source.collect({ files, problems, nowMs })).flatMap((batch) => batch.samples));
    const labels = 'comm="python3",constraint="CONSTRAINT_MEMCG",memcg="/vigil-oom",pid="1039",task_memcg="/vigil-oom"';
    expect(first.get(`kernel_oom_kill{${labels}}`)).toBe(65152 * 1024);
    // Recorded 7500 s after boot per this proc/uptime: the kill was 4.242 s before it.
    expect(first.get(`kernel_oom_kill_timestamp_seconds{${labels}}`)).toBe((nowMs - 7_500_000 + 7_495_758) / 1000);
    expect(first.get('kernel_events_total{kind="oom_kill"}')).toBe(1);
    const second = seriesOf(await collect(source, files));
    expect([...second.keys()].every((key) => key.startsWith('kernel_events_total'))).toBe(true);
    expect(second.get('kernel_events_total{kind="oom_kill"}')).toBe(1);
    expect(problems.list).toEqual([]);
  });

  it('publishes no times when the host has no proc/uptime', async () => {
    const source = track(kernelLogSource({ path: fixturePath('kmsg', 'syzkaller', 'report', '70') }));
    expect(seriesOf(await collect(source, hostWithUptime('')))).toEqual(new Map([
      ['kernel_hung_task{comm="syz-executor5",pid="10045"}', 120],
      ['kernel_events_total{kind="oom_kill"}', 0],
      ['kernel_events_total{kind="hung_task"}', 1],
      ['kernel_events_total{kind="soft_lockup"}', 0],
      ['kernel_events_total{kind="hard_lockup"}', 0],
      ['kernel_events_total{kind="rcu_stall"}', 0],
    ]));
  });

  it('reports an unreadable log once and then yields nothing', async () => {
    const source = track(kernelLogSource({ path: '/nonexistent/kmsg' }));
    const problems = problemList();
    expect(await source.collect({ files: liveHost, problems, nowMs: Date.now() })).toEqual([]);
    expect(await source.collect({ files: liveHost, problems, nowMs: Date.now() })).toEqual([]);
    expect(problems.list).toEqual(['cannot open /nonexistent/kmsg: ENOENT; kernel events are not collected']);
  });
});

describe('kernelLogConfigSchema', () => {
  it('defaults to /dev/kmsg, reading the last 5 minutes of backlog', () => {
    expect(kernelLogConfigSchema.parse({})).toEqual({ VIGIL_KMSG: '/dev/kmsg', VIGIL_KMSG_BACKLOG: 'read', VIGIL_KMSG_BACKLOG_WINDOW_SECONDS: 300 });
    expect(kernelLogSourceFromConfig(kernelLogConfigSchema.parse({}))?.name).toBe('kernel.events');
  });

  it("is off with VIGIL_KMSG=off, and rejects an unknown backlog mode", () => {
    expect(kernelLogSourceFromConfig(kernelLogConfigSchema.parse({ VIGIL_KMSG: 'off' }))).toBeUndefined();
    expect(kernelLogConfigSchema.safeParse({ VIGIL_KMSG_BACKLOG: 'all' }).success).toBe(false);
  });

  it('describes every variable', () => {
    for (const [name, field] of Object.entries(kernelLogConfigSchema.shape)) expect(field.description, name).toBeTruthy();
  });
});

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

const root = process.getuid?.() === 0;
const liveKmsg = root && writable('/dev/kmsg');
const memoryCgroups = '/sys/fs/cgroup/memory';
const liveMemcg = liveKmsg && existsSync(join(memoryCgroups, 'cgroup.procs'));

describe.runIf(liveKmsg)('kernelLogSource on this machine\'s /dev/kmsg', () => {
  it('returns a hung task written to /dev/kmsg exactly once across cycles', async () => {
    const source = track(kernelLogSource({ path: '/dev/kmsg' }));
    const problems = problemList();
    await collect(source, liveHost, problems); // the backlog
    const comm = `vigil-${randomBytes(4).toString('hex')}`;
    writeFileSync('/dev/kmsg', `<4>INFO: task ${comm}:${process.pid} blocked for more than 120 seconds.\n`);
    const cycles = [await collect(source, liveHost, problems), await collect(source, liveHost, problems)];
    const ours = cycles.map((samples) => samples.filter((sample) => sample.labels.comm === comm));
    expect(ours[0]).toEqual([
      { name: 'kernel_hung_task', labels: { pid: String(process.pid), comm }, value: 120 },
      expect.objectContaining({ name: 'kernel_hung_task_timestamp_seconds', labels: { pid: String(process.pid), comm } }),
    ]);
    const eventSeconds = ours[0]?.[1]?.value ?? 0;
    expect(Math.abs(eventSeconds * 1000 - Date.now())).toBeLessThan(5_000);
    expect(ours[1]).toEqual([]);
    const counted = (samples: Sample[]): number | undefined => seriesOf(samples).get('kernel_events_total{kind="hung_task"}');
    expect(counted(cycles[1] ?? [])).toBe(counted(cycles[0] ?? []));
    expect(problems.list.filter((problem) => !problem.includes('EPIPE'))).toEqual([]);
  }, 15_000);

  it('publishes backlog events newer than start minus the window, none with backlog skip', async () => {
    const comm = `vigil-${randomBytes(4).toString('hex')}`;
    writeFileSync('/dev/kmsg', `<4>INFO: task ${comm}:${process.pid} blocked in I/O wait for more than 143 seconds.\n`);
    const seen = async (source: KernelLogSource): Promise<number> =>
      (await collect(source)).filter((sample) => sample.name === 'kernel_hung_task' && sample.labels.comm === comm).length;
    expect(await seen(track(kernelLogSource({ path: '/dev/kmsg' })))).toBe(1);
    expect(await seen(track(kernelLogSource({ path: '/dev/kmsg', backlog: 'skip' })))).toBe(0);
    // A collector (re)started ten minutes later does not publish it again.
    expect(await seen(track(kernelLogSource({ path: '/dev/kmsg', startedAtMs: Date.now() + 600_000 })))).toBe(0);
  }, 15_000);

  it('publishes an OOM summary whose Killed process line never comes, one cycle later', async () => {
    const source = track(kernelLogSource({ path: '/dev/kmsg', backlog: 'skip' }));
    await collect(source);
    const comm = `vigil-${randomBytes(4).toString('hex')}`;
    writeFileSync('/dev/kmsg', `<6>oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/${comm},task_memcg=/${comm},task=${comm},pid=${process.pid},uid=0\n`);
    const ours = async (): Promise<Sample[]> => (await collect(source)).filter((sample) => sample.labels.comm === comm);
    expect(await ours()).toEqual([]);
    expect(await ours()).toEqual([
      { name: 'kernel_oom_kill', labels: { pid: String(process.pid), comm, constraint: 'CONSTRAINT_MEMCG', memcg: `/${comm}`, task_memcg: `/${comm}` }, value: 0 },
      expect.objectContaining({ name: 'kernel_oom_kill_timestamp_seconds' }),
    ]);
    expect(await ours()).toEqual([]);
  }, 15_000);

  it('reports EPERM once and yields nothing when not allowed to read it (nobody, dmesg_restrict)', () => {
    const module = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
    const script = `
      import { kernelLogSource } from ${JSON.stringify(module('./kmsg-source.ts'))};
      import { createHostFiles } from ${JSON.stringify(module('../host-files.ts'))};
      const source = kernelLogSource({ path: '/dev/kmsg' });
      const problems = [];
      const context = { files: createHostFiles({ procRoot: '/proc', sysRoot: '/sys' }), problems: { report: (p) => problems.push(p) }, nowMs: Date.now() };
      const batches = [...await source.collect(context), ...await source.collect(context)];
      console.log(JSON.stringify({ batches: batches.length, problems }));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 10_000 });
    expect(child.status, child.stderr).toBe(0);
    const { batches, problems } = JSON.parse(child.stdout) as { batches: number; problems: string[] };
    expect(batches).toBe(0);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^cannot open \/dev\/kmsg: (EPERM|EACCES); kernel events are not collected$/);
  }, 15_000);
});

describe.runIf(liveMemcg)('a real OOM kill in a memory cgroup on this machine', () => {
  const cgroup = join(memoryCgroups, `vigil-oom-${process.pid}`);
  afterEach(async () => {
    for (let attempt = 0; existsSync(cgroup) && attempt < 50; attempt++) {
      try {
        rmdirSync(cgroup);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  it('names the victim pid, its comm, CONSTRAINT_MEMCG and the cgroup', async () => {
    const source = track(kernelLogSource({ path: '/dev/kmsg', backlog: 'skip' }));
    const problems = problemList();
    await collect(source, liveHost, problems);
    mkdirSync(cgroup);
    writeFileSync(join(cgroup, 'memory.limit_in_bytes'), String(32 << 20));
    // The shell moves itself into the cgroup, then doubles a string until the kernel kills it.
    const child = spawn('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && x=a && while :; do x=$x$x; done`], { stdio: 'ignore' });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, exitSignal) => resolve(exitSignal)));
    expect(signal).toBe('SIGKILL');
    const kills: Sample[] = [];
    for (let attempt = 0; attempt < 20 && kills.length === 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      kills.push(...(await collect(source, liveHost, problems)).filter((sample) => sample.name === 'kernel_oom_kill' && sample.labels.pid === String(child.pid)));
    }
    const memcg = `/${cgroup.split('/').at(-1)}`;
    expect(kills).toEqual([{
      name: 'kernel_oom_kill',
      labels: { pid: String(child.pid), comm: 'sh', constraint: 'CONSTRAINT_MEMCG', memcg, task_memcg: memcg },
      value: expect.any(Number),
    }]);
    expect(kills[0]?.value).toBeGreaterThan(16 << 20);
    // About the 32 MiB limit: the victim's anon RSS the kernel reports can exceed the memcg's charge by a few pages.
    expect(kills[0]?.value).toBeLessThanOrEqual(34 << 20);
    expect(problems.list.filter((problem) => !problem.includes('EPIPE'))).toEqual([]);
  }, 15_000);
});
