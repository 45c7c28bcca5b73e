import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/codec/records.generated.js';
import type { CgroupAttribution } from '../attribution.js';
import { problemList } from '../core/problems.js';
import { createHostFiles } from '../host-files.js';
import type { SourceBatch } from '../source.js';
import { fixturePath } from '../testing/fixtures.js';
import { openFilesUnder } from '../testing/open-files.js';
import { cgroupSource, type CgroupSourceOptions } from './cgroups.js';

const temporaryDirectories: string[] = [];
afterEach(async () => {
  await Promise.all(temporaryDirectories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

/** One cycle of the cgroup source over a tree with a sys/ directory. */
async function collect(root: string, options: CgroupSourceOptions = {}): Promise<{ batches: SourceBatch[]; problems: string[] }> {
  const problems = problemList();
  const files = createHostFiles({ procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') });
  return { batches: await cgroupSource(options).collect({ files, problems, nowMs: 0 }), problems: problems.list };
}

const all = (batches: SourceBatch[]): Sample[] => batches.flatMap((batch) => batch.samples);
const valueOf = (batches: SourceBatch[], name: string, labels: Record<string, string>): number | undefined =>
  all(batches).find((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))?.value;
const namesOf = (batches: SourceBatch[], cgroup: string): string[] => all(batches).filter((s) => s.labels.cgroup === cgroup).map((s) => s.name);

/** A writable tree: fixture directories copied to host paths under a temporary root. */
async function treeOf(copies: [fixture: string[], hostPath: string][], extraFiles: [hostPath: string, content: string][] = []): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vigil-cgroup-'));
  temporaryDirectories.push(root);
  for (const [fixture, hostPath] of copies) await cp(fixturePath('cgroup', ...fixture), join(root, hostPath), { recursive: true });
  for (const [hostPath, content] of extraFiles) {
    await mkdir(join(root, hostPath, '..'), { recursive: true });
    await writeFile(join(root, hostPath), content);
  }
  return root;
}

const dockerContainer = '/docker/b29faf21b7eff959f64b4192c34d5d67a707fe8561e9eaa608cb27693fba4242';
const session520 = '/user.slice/user-1000.slice/session-520.scope';

describe('v1: elastic amzn2 (an EKS node, containerd, systemd cgroup driver)', () => {
  it('publishes the container with its limit, usage, both working sets and the attribution labels', async () => {
    const root = fixturePath('cgroup', 'elastic', 'amzn2');
    const attribute: CgroupAttribution = (path) => (path.includes('cri-containerd-') ? { pod_uid: '7a96c459-d529-44ae-9f99-90d3798d6426', container: 'app' } : {}) as Record<string, string>;
    const { batches, problems } = await collect(root, { attribute });
    const [cgroup] = [...new Set(all(batches).map((s) => s.labels.cgroup))];
    expect(cgroup?.startsWith('/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice/cri-containerd-')).toBe(true);
    const labels = { cgroup: cgroup!, pod_uid: '7a96c459-d529-44ae-9f99-90d3798d6426', container: 'app' };
    expect(valueOf(batches, 'cgroup_memory_limit_bytes', labels)).toBe(2147483648);
    expect(valueOf(batches, 'cgroup_memory_usage_bytes', labels)).toBe(1215860736);
    expect(valueOf(batches, 'cgroup_memory_stat_anon_bytes', labels)).toBe(1119465472); // rss 1119465472
    expect(valueOf(batches, 'cgroup_memory_stat_file_bytes', labels)).toBe(78397440); // cache 78397440
    expect(valueOf(batches, 'cgroup_memory_events_oom_kill_total', labels)).toBe(0);
    expect(valueOf(batches, 'cgroup_memory_working_set_bytes', labels)).toBe(1215860736 - 78557184); // usage − total_inactive_file
    expect(namesOf(batches, cgroup!)).not.toContain('cgroup_cpu_quota_cores'); // cpu.cfs_quota_us -1
    expect(problems).toEqual([]);
  });
});

describe('v1: elastic docker (cpu and cpuacct mounted apart)', () => {
  it('reads CFS throttling of container b29faf21…: nr_throttled 1046, throttled_time 352597023453 ns', async () => {
    const { batches, problems } = await collect(fixturePath('cgroup', 'elastic', 'docker'));
    const labels = { cgroup: dockerContainer };
    expect(valueOf(batches, 'cgroup_cpu_throttled_periods_total', labels)).toBe(1046);
    expect(valueOf(batches, 'cgroup_cpu_periods_total', labels)).toBe(769021);
    expect(valueOf(batches, 'cgroup_cpu_throttled_seconds_total', labels)).toBe(352.597023453);
    expect(valueOf(batches, 'cgroup_cpu_usage_seconds_total', labels)).toBeGreaterThan(0); // cpuacct.usage, another hierarchy
    expect(valueOf(batches, 'cgroup_io_read_bytes_total', { ...labels, device: '253:1' })).toBe(1638912);
    expect(problems).toEqual([]);
  });

  it('names batches cgroup.<family> when the configured bound fits one batch, cgroup.<family>.<k> otherwise', async () => {
    const small = await collect(fixturePath('cgroup', 'elastic', 'docker'), { maxCgroups: 20 });
    expect(small.batches.map((b) => b.source)).toEqual(['cgroup.memory', 'cgroup.cpu', 'cgroup.io']);
    const large = await collect(fixturePath('cgroup', 'elastic', 'docker'));
    expect(large.batches.map((b) => b.source).every((source) => /^cgroup\.(memory|cpu|io|pids|pressure)\.\d+$/.test(source))).toBe(true);
    expect(all(large.batches)).toHaveLength(all(small.batches).length);
  });
});

describe('v2', () => {
  it('reads session-520.scope of elastic docker2: memory.current 10498404352, memory.max max, pids, pressure', async () => {
    // The capture holds the scope only; a live v2 root always has cgroup.controllers, added here.
    const root = await treeOf([[['elastic', 'docker2', 'sys'], 'sys']], [['sys/fs/cgroup/cgroup.controllers', 'cpu io memory pids\n']]);
    const { batches, problems } = await collect(root);
    const labels = { cgroup: session520 };
    expect(valueOf(batches, 'cgroup_memory_usage_bytes', labels)).toBe(10498404352);
    expect(namesOf(batches, session520)).not.toContain('cgroup_memory_limit_bytes');
    expect(namesOf(batches, session520)).not.toContain('cgroup_cpu_quota_cores'); // cpu.max "max 100000"
    expect(valueOf(batches, 'cgroup_memory_stat_anon_bytes', labels)).toBe(1411100672);
    expect(valueOf(batches, 'cgroup_memory_events_oom_kill_total', labels)).toBe(0);
    expect(valueOf(batches, 'cgroup_pids_current', labels)).toBe(148);
    expect(valueOf(batches, 'cgroup_cpu_usage_seconds_total', labels)).toBe(3611.347518);
    expect(valueOf(batches, 'cgroup_pressure_memory_waiting_seconds_total', labels)).toBe(1.736583);
    expect(valueOf(batches, 'cgroup_pressure_cpu_stalled_seconds_total', labels)).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('reads the telegraf v2 directory as a container: nr_throttled 6004, throttled_usec 19175137007', async () => {
    const root = await treeOf([[['telegraf', 'testdata', 'v2'], 'sys/fs/cgroup/system.slice/telegraf.service']], [['sys/fs/cgroup/cgroup.controllers', 'cpu io memory pids\n']]);
    const { batches } = await collect(root);
    const labels = { cgroup: '/system.slice/telegraf.service' };
    expect(valueOf(batches, 'cgroup_cpu_throttled_periods_total', labels)).toBe(6004);
    expect(valueOf(batches, 'cgroup_cpu_throttled_seconds_total', labels)).toBe(19175.137007);
    expect(valueOf(batches, 'cgroup_cpu_quota_cores', labels)).toBe(48);
    expect(valueOf(batches, 'cgroup_memory_limit_bytes', labels)).toBe(103079215104);
    expect(valueOf(batches, 'cgroup_io_write_bytes_total', { ...labels, device: '259:8' })).toBe(3789381632);
    expect(valueOf(batches, 'cgroup_pids_limit', labels)).toBe(629145);
  });

  it('keeps no file of a removed cgroup open once the hierarchy is walked again', async () => {
    const root = await treeOf([[['elastic', 'docker2', 'sys'], 'sys']], [['sys/fs/cgroup/cgroup.controllers', 'cpu io memory pids\n']]);
    const scope = join(root, 'sys', 'fs', 'cgroup', session520);
    const files = createHostFiles({ procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') });
    const source = cgroupSource();
    const cycle = async (): Promise<void> => {
      await source.collect({ files, problems: problemList(), nowMs: 0 });
      files.endCycle();
    };
    await cycle();
    expect(openFilesUnder(scope).length).toBeGreaterThan(0); // kept between cycles
    await rm(scope, { recursive: true });
    for (let walked = 1; walked < 4; walked++) await cycle(); // the hierarchy is walked every third cycle
    expect(openFilesUnder(scope)).toEqual([]);
    files.close();
  });
});

describe('hybrid: elastic ubuntu1804 (v1 controllers, v2 at unified/)', () => {
  it('takes memory and I/O from v1 and nothing but pressure from unified/', async () => {
    const { batches, problems } = await collect(fixturePath('cgroup', 'elastic', 'ubuntu1804'));
    const service = '/system.slice/networkd-dispatcher.service';
    expect(valueOf(batches, 'cgroup_memory_usage_bytes', { cgroup: service })).toBeGreaterThan(0);
    expect(valueOf(batches, 'cgroup_io_read_bytes_total', { cgroup: service, device: '8:0' })).toBe(8192);
    expect(namesOf(batches, service).some((name) => name.startsWith('cgroup_cpu_'))).toBe(false); // unified/…/cpu.stat ignored
    expect(problems).toEqual([]);
  });
});

describe('v1 captures of kernel/captured (a memcg OOM kill, CFS throttling, a pids fork storm)', () => {
  it('reads each as a top-level cgroup of its controller', async () => {
    const root = await treeOf([
      [['kernel', 'captured', 'oom', 'cgroup-after'], 'sys/fs/cgroup/memory/vigil-oom'],
      [['kernel', 'captured', 'throttle', 'cgroup-after'], 'sys/fs/cgroup/cpu/vigil-throttle'],
      [['kernel', 'captured', 'pids', 'cgroup-after'], 'sys/fs/cgroup/pids/vigil-pids'],
    ]);
    const { batches, problems } = await collect(root);
    expect(valueOf(batches, 'cgroup_memory_events_oom_kill_total', { cgroup: '/vigil-oom' })).toBe(1);
    expect(valueOf(batches, 'cgroup_memory_events_max_total', { cgroup: '/vigil-oom' })).toBe(3363);
    expect(valueOf(batches, 'cgroup_memory_limit_bytes', { cgroup: '/vigil-oom' })).toBe(67108864);
    expect(valueOf(batches, 'cgroup_cpu_throttled_periods_total', { cgroup: '/vigil-throttle' })).toBe(51);
    expect(valueOf(batches, 'cgroup_cpu_quota_cores', { cgroup: '/vigil-throttle' })).toBe(0.2);
    expect(valueOf(batches, 'cgroup_pids_limit', { cgroup: '/vigil-pids' })).toBe(30);
    expect(valueOf(batches, 'cgroup_pids_events_max_total', { cgroup: '/vigil-pids' })).toBe(1);
    expect(valueOf(batches, 'cgroup_pids_current', { cgroup: '/vigil-pids' })).toBe(29);
    expect(problems).toEqual([]);
  });

  it('publishes the largest cgroups by memory when more qualify than maxCgroups, and says so', async () => {
    const oom = ['kernel', 'captured', 'oom', 'cgroup-early'];
    const root = await treeOf(
      [[oom, 'sys/fs/cgroup/memory/a'], [oom, 'sys/fs/cgroup/memory/b'], [oom, 'sys/fs/cgroup/memory/c']],
      [['sys/fs/cgroup/memory/a/memory.usage_in_bytes', '100\n'], ['sys/fs/cgroup/memory/c/memory.usage_in_bytes', '300\n']],
    );
    const { batches, problems } = await collect(root, { maxCgroups: 2 });
    expect([...new Set(all(batches).map((s) => s.labels.cgroup))].sort()).toEqual(['/b', '/c']); // b: 67096576
    expect(problems).toEqual(['more than 2 cgroups qualify: publishing the 2 with the most memory']);
  });

  it('publishes nothing when there is no cgroup filesystem', async () => {
    expect((await collect(await treeOf([], [['sys/kernel/x', '']]))).batches).toEqual([]);
  });
});
