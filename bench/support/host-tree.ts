/**
 * A host tree for collector benchmarks, built by copying real fixture files (test/fixtures): a /proc
 * with node_exporter's node-level files and `processes` process directories (procfs's 26231: stat,
 * status, io, schedstat, cmdline, with pid, state, utime and rss varied, and an EKS container's
 * cgroup file), and a cgroup v1 /sys with `containers` containers laid out as kubelet's systemd
 * driver does (kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/
 * cri-containerd-<id>.scope, three containers per pod), each controller's files copied from the
 * EKS capture of elastic-agent-system-metrics.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('../../test/fixtures', import.meta.url));
const fixture = (...parts: string[]): string => readFileSync(join(fixtures, ...parts), 'utf8');
const stat = fixture('procfs', 'proc', '26231', 'stat');
const status = fixture('procfs', 'proc', '26231', 'status');
const io = fixture('procfs', 'proc', '26231', 'io');
const schedstat = fixture('procfs', 'proc', '26231', 'schedstat');
const cmdline = fixture('procfs', 'proc', '26231', 'cmdline');
const cgroupOfEksProcess = fixture('cgroup', 'elastic', 'amzn2', 'proc', '493239', 'cgroup');
const eksPodUid = '7a96c459_d529_44ae_9f99_90d3798d6426';
const eksContainerId = '1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496';
const eksControllers = ['memory', 'cpu,cpuacct', 'blkio', 'pids'];
const eksContainerPath = (controller: string): string => join(fixtures, 'cgroup', 'elastic', 'amzn2', 'sys', 'fs', 'cgroup', controller,
  'kubepods.slice', 'kubepods-burstable.slice', `kubepods-burstable-pod${eksPodUid}.slice`, `cri-containerd-${eksContainerId}.scope`);

export interface HostTreeOptions {
  processes: number;
  containers: number;
  /** Also build the cgroup tree (default true). */
  cgroups?: boolean;
  /** Where to build it (created if missing); a fresh temporary directory by default. */
  root?: string;
}

export interface HostTree {
  root: string;
  procRoot: string;
  sysRoot: string;
  /** Makes `share` of the processes "run" (their stat, io and schedstat counters move), as between two cycles of a busy node. */
  churn(round: number, share: number): void;
}

const podUidOf = (pod: number): string => {
  const hex = (BigInt(`0x${eksPodUid.replaceAll('_', '')}`) + BigInt(pod)).toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}_${hex.slice(8, 12)}_${hex.slice(12, 16)}_${hex.slice(16, 20)}_${hex.slice(20)}`;
};
const containerIdOf = (container: number): string => (BigInt(`0x${eksContainerId}`) + BigInt(container)).toString(16).padStart(64, '0');

/**
 * The stat line of 26231 with pid, state, utime and rss replaced (fields 1, 3, 14 and 24 of proc(5)):
 * 1 % of processes running (R), 0.2 % blocked (D), the rest sleeping, as on a busy node.
 */
export function statLine(pid: number, utimeTicks: number, rssPages: number): string {
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).trimEnd().split(' ');
  fields[0] = pid % 100 === 0 ? 'R' : pid % 500 === 1 ? 'D' : 'S';
  fields[11] = String(utimeTicks);
  fields[21] = String(rssPages);
  return `${pid} (${stat.slice(stat.indexOf('(') + 1, close)}) ${fields.join(' ')}\n`;
}

/** Writes the files of a process that change while it runs: stat, io, schedstat. */
export function writeRunningProcess(procRoot: string, pid: number, round: number): void {
  const directory = join(procRoot, String(pid));
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'stat'), statLine(pid, 1000 + pid + round * 7, 100 + ((pid * 7919) % 50_000)));
  writeFileSync(join(directory, 'io'), io.replace(/^read_bytes: \d+/m, `read_bytes: ${pid * 4096 + round * 1_000_000}`));
  writeFileSync(join(directory, 'schedstat'), schedstat.replace(/^\d+ \d+/, `${pid * 1000 + round * 5_000_000} ${pid * 100 + round * 1_000_000}`));
}

export function buildHostTree(options: HostTreeOptions): HostTree {
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'vigil-bench-host-'));
  const procRoot = join(root, 'proc');
  const sysRoot = join(root, 'sys');
  mkdirSync(procRoot, { recursive: true });
  const nodeProc = join(fixtures, 'node_exporter', 'proc');
  for (const entry of readdirSync(nodeProc)) {
    if (!/^\d+$/.test(entry)) cpSync(join(nodeProc, entry), join(procRoot, entry), { recursive: true });
  }
  const containerPath = (container: number): string => {
    const pod = Math.floor(container / 3);
    return `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${podUidOf(pod)}.slice/cri-containerd-${containerIdOf(container)}.scope`;
  };
  for (let i = 0; i < options.processes; i++) {
    const pid = 1000 + i;
    writeRunningProcess(procRoot, pid, 0);
    const directory = join(procRoot, String(pid));
    writeFileSync(join(directory, 'status'), status.replace(/VmRSS:\s+\d+/, `VmRSS:\t${4 * (100 + ((pid * 7919) % 50_000))}`));
    writeFileSync(join(directory, 'cmdline'), cmdline);
    const path = containerPath(i % Math.max(1, options.containers));
    writeFileSync(join(directory, 'cgroup'), cgroupOfEksProcess.replace(/\/kubepods\.slice\/[^\n]*cri-containerd-[0-9a-f]{64}\.scope/g, path));
  }
  if (options.cgroups ?? true) {
    for (const controller of eksControllers) {
      const hierarchy = join(sysRoot, 'fs', 'cgroup', controller);
      const ancestors = new Set<string>();
      for (let container = 0; container < options.containers; container++) {
        const path = containerPath(container);
        cpSync(eksContainerPath(controller), join(hierarchy, path), { recursive: true });
        for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) ancestors.add(path.slice(0, at));
      }
      // Every v1 cgroup directory has its controller's files: the QoS and pod levels get the container's.
      for (const ancestor of ancestors) cpSync(eksContainerPath(controller), join(hierarchy, ancestor), { recursive: true });
    }
  }
  return {
    root, procRoot, sysRoot,
    churn(round, share) {
      const running = Math.round(options.processes * share);
      for (let k = 0; k < running; k++) writeRunningProcess(procRoot, 1000 + ((round * running + k) % options.processes), round);
    },
  };
}
