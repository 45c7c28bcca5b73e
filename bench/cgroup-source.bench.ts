/**
 * CPU cost of one cycle of the cgroup source on a v1 host with 300 docker containers. The tree is
 * built in a temporary directory from the real files of container b29faf21… of elastic's docker
 * capture (memory, cpu, cpuacct, blkio) and the EKS container's pids directory (amzn2), copied per
 * container; the cycle is then run 20 times and the CPU time (user + system) per cycle printed.
 * The collector's floor is < 50 ms CPU per cycle for all sources on 300 containers + 2,000
 * processes; this source aims at ≤ 20 ms.
 *
 * Rerun: npx tsx bench/cgroup-source.bench.ts [containers]
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { problemList } from '../services/collector/core/problems.js';
import { createHostFiles } from '../services/collector/host-files.js';
import { cgroupSource } from '../services/collector/sources/cgroups.js';
import { fixturePath } from '../services/collector/testing/fixtures.js';

const containers = Number(process.argv[2] ?? 300);
const cycles = 20;
const dockerId = 'b29faf21b7eff959f64b4192c34d5d67a707fe8561e9eaa608cb27693fba4242';
const docker = (controller: string): string => fixturePath('cgroup', 'elastic', 'docker', 'sys', 'fs', 'cgroup', controller, 'docker', dockerId);
const eksPids = fixturePath('cgroup', 'elastic', 'amzn2', 'sys', 'fs', 'cgroup', 'pids', 'kubepods.slice', 'kubepods-burstable.slice',
  'kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice',
  'cri-containerd-1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496.scope');

const root = mkdtempSync(join(tmpdir(), 'vigil-cgroup-bench-'));
try {
  const sources: [string, string][] = [['memory', docker('memory')], ['cpu', docker('cpu')], ['cpuacct', docker('cpuacct')], ['blkio', docker('blkio')], ['pids', eksPids]];
  for (const [controller] of sources) mkdirSync(join(root, 'sys', 'fs', 'cgroup', controller, 'docker'), { recursive: true });
  for (let i = 0; i < containers; i++) {
    const id = i.toString(16).padStart(64, '0');
    for (const [controller, from] of sources) cpSync(from, join(root, 'sys', 'fs', 'cgroup', controller, 'docker', id), { recursive: true });
  }

  const files = createHostFiles({ procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') });
  const source = cgroupSource();
  const problems = problemList();
  let samples = 0;
  let batches = 0;
  await source.collect({ files, problems, nowMs: 0 }); // warm-up: JIT and the page cache
  const perCycleMs: number[] = [];
  for (let cycle = 0; cycle < cycles; cycle++) {
    const before = process.cpuUsage();
    const result = await source.collect({ files, problems, nowMs: cycle });
    const used = process.cpuUsage(before);
    perCycleMs.push((used.user + used.system) / 1000);
    batches = result.length;
    samples = result.reduce((sum, batch) => sum + batch.samples.length, 0);
  }
  perCycleMs.sort((a, b) => a - b);
  const mean = perCycleMs.reduce((sum, ms) => sum + ms, 0) / cycles;
  console.log(`cgroup source, v1, ${containers} containers (+ /docker): ${samples} samples in ${batches} batches per cycle`);
  console.log(`CPU per cycle over ${cycles} cycles: mean ${mean.toFixed(1)} ms, median ${perCycleMs[cycles >> 1]!.toFixed(1)} ms, max ${perCycleMs[cycles - 1]!.toFixed(1)} ms (target ≤ 20 ms)`);
  if (problems.list.length > 0) console.log(`problems: ${problems.list.slice(0, 5).join('; ')}`);
  console.log('Rerun: npx tsx bench/cgroup-source.bench.ts [containers]');
} finally {
  rmSync(root, { recursive: true, force: true });
}
