/**
 * CPU time of one read of each kind of file a collector cycle reads, on this machine's real procfs
 * and cgroupfs: what a real node pays per file, where bench/collector.bench.ts's fixture tree (a
 * regular filesystem) costs about 1 µs for any file. Each file is opened once and read from offset 0
 * many times (as HostFiles does); also open + close and one cgroup directory listing. The cgroup rows
 * need root and cgroup v1 (empty probe cgroups are made and removed); without them they are skipped.
 *
 * Rerun: npx tsx bench/collector-read-costs.bench.ts
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, rmdirSync } from 'node:fs';

const buffer = Buffer.allocUnsafe(64 * 1024);

/** Microseconds of CPU (user + system) per call of fn, after a warm-up. */
function cost(fn: () => void, calls: number): number {
  for (let i = 0; i < Math.min(500, calls); i++) fn();
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

function preadCost(path: string, calls: number): number {
  const fd = openSync(path, 'r');
  try {
    return cost(() => void readSync(fd, buffer, 0, buffer.length, 0), calls);
  } finally {
    closeSync(fd);
  }
}

const rows: [string, number][] = [];
const pid = process.pid;
for (const file of ['stat', 'status', 'io', 'schedstat']) rows.push([`/proc/<pid>/${file}`, preadCost(`/proc/${pid}/${file}`, 10_000)]);
rows.push(['open + close of /proc/<pid>/io', cost(() => closeSync(openSync(`/proc/${pid}/io`, 'r')), 5_000)]);

const probes: string[] = [];
const probe = (controller: string): string | undefined => {
  const directory = `/sys/fs/cgroup/${controller}/vigil-read-costs-${pid}`;
  try {
    mkdirSync(directory);
    probes.push(directory);
    return directory;
  } catch {
    return undefined;
  }
};
try {
  const v1 = existsSync('/sys/fs/cgroup/memory/memory.stat');
  const files: [string, string[]][] = [
    ['memory', ['memory.stat', 'memory.usage_in_bytes', 'memory.failcnt', 'memory.oom_control', 'memory.limit_in_bytes']],
    ['cpu', ['cpu.stat', 'cpu.cfs_quota_us']],
    ['cpuacct', ['cpuacct.usage']],
    ['blkio', ['blkio.throttle.io_service_bytes_recursive']],
    ['pids', ['pids.current', 'pids.events']],
  ];
  for (const [controller, names] of v1 ? files : []) {
    const directory = probe(controller);
    if (!directory) continue;
    for (const name of names) if (existsSync(`${directory}/${name}`)) rows.push([`cgroup v1 ${name}`, preadCost(`${directory}/${name}`, 5_000)]);
    if (controller === 'memory') rows.push(['listing one v1 memory cgroup (with file types)', cost(() => void readdirSync(directory, { withFileTypes: true }), 2_000)]);
  }
  if (!v1) console.log('(no cgroup v1 memory hierarchy here: cgroup rows skipped)');
} finally {
  for (const directory of probes) rmdirSync(directory);
}

console.log(`CPU per call (user + system) on this machine (${process.platform}, node ${process.version}):`);
for (const [what, microseconds] of rows) console.log(`  ${microseconds.toFixed(2).padStart(6)} µs  ${what}`);
console.log('Rerun: npx tsx bench/collector-read-costs.bench.ts');
