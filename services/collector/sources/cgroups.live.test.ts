import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { problemList } from '../core/problems.js';
import { createHostFiles } from '../host-files.js';
import { cgroupSource } from './cgroups.js';

/**
 * The source on this machine's own kernel: v1 cgroups made for the test, a child process in them
 * that allocates 64 MiB and spins under a 20 % CPU quota. Needs root and v1 memory, cpu and pids
 * controllers at /sys/fs/cgroup (the development VM); elsewhere the suite does not run.
 */
const cgroupRoot = '/sys/fs/cgroup';
const controllers = ['memory', 'cpu', 'pids'] as const;
const canRun = process.getuid?.() === 0 && controllers.every((controller) => existsSync(`${cgroupRoot}/${controller}/cgroup.procs`));
const name = `vigil-test-${process.pid}`;
const directory = (controller: string): string => `${cgroupRoot}/${controller}/${name}`;

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
  for (const controller of controllers) {
    // A memory cgroup whose last task just died can be busy for a moment.
    for (let attempt = 0; attempt < 50 && existsSync(directory(controller)); attempt++) {
      try {
        rmdirSync(directory(controller));
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
});

describe.runIf(canRun)('the cgroup source on this kernel (v1, live)', () => {
  it('reports the limit, the usage, CFS throttling and the pids of a cgroup it did not know', async () => {
    for (const controller of controllers) mkdirSync(directory(controller));
    writeFileSync(`${directory('memory')}/memory.limit_in_bytes`, String(256 * 1024 * 1024));
    writeFileSync(`${directory('cpu')}/cpu.cfs_period_us`, '100000');
    writeFileSync(`${directory('cpu')}/cpu.cfs_quota_us`, '20000');
    writeFileSync(`${directory('pids')}/pids.max`, '50');

    // The shell joins the cgroups before exec, so every page node touches is charged to them.
    const join = controllers.map((controller) => `echo $$ > ${directory(controller)}/cgroup.procs`).join(' && ');
    const program = 'const b = Buffer.alloc(64 << 20, 1); process.stdout.write("ready\\n"); for (;;) b[(Math.random() * b.length) | 0]++;';
    child = spawn('sh', ['-c', `${join} && exec "$0" -e '${program}'`, process.execPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child?.stdout?.once('data', () => resolve());
      child?.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));

    const problems = problemList();
    const files = createHostFiles({ procRoot: '/proc', sysRoot: '/sys' });
    const samples = (await cgroupSource().collect({ files, problems, nowMs: Date.now() })).flatMap((batch) => batch.samples);
    const valueOf = (metric: string): number | undefined => samples.find((s) => s.name === metric && s.labels.cgroup === `/${name}`)?.value;

    expect(valueOf('cgroup_memory_limit_bytes')).toBe(256 * 1024 * 1024);
    expect(valueOf('cgroup_memory_usage_bytes')).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(valueOf('cgroup_memory_working_set_bytes')).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(valueOf('cgroup_cpu_quota_cores')).toBe(0.2);
    expect(valueOf('cgroup_cpu_throttled_periods_total')).toBeGreaterThan(0);
    expect(valueOf('cgroup_pids_current')).toBeGreaterThanOrEqual(1);
    expect(valueOf('cgroup_pids_limit')).toBe(50);
    expect(problems.list.filter((problem) => problem.includes(name))).toEqual([]);
  });
});
