import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DiagnosisRequest, SceneSample, Scenario } from '../../../../src/codec/records.generated.js';

const MiB = 1024 * 1024;
const PAGE = 4096;
export const T0 = Date.UTC(2026, 10, 24, 7, 0, 0);

/** A node's process table as a collector would see it: steady daemons and workloads. */
const steadyProcesses: { pid: number; comm: string; state: string; rssMiB: number }[] = [
  { pid: 1, comm: 'systemd', state: 'S', rssMiB: 12 },
  { pid: 412, comm: 'systemd-journal', state: 'S', rssMiB: 48 },
  { pid: 455, comm: 'systemd-udevd', state: 'S', rssMiB: 9 },
  { pid: 702, comm: 'sshd', state: 'S', rssMiB: 8 },
  { pid: 731, comm: 'chronyd', state: 'S', rssMiB: 4 },
  { pid: 880, comm: 'containerd', state: 'S', rssMiB: 96 },
  { pid: 1102, comm: 'kubelet', state: 'S', rssMiB: 142 },
  { pid: 1360, comm: 'kube-proxy', state: 'S', rssMiB: 38 },
  { pid: 1544, comm: 'coredns', state: 'S', rssMiB: 31 },
  { pid: 1720, comm: 'node_exporter', state: 'S', rssMiB: 22 },
  { pid: 2101, comm: 'java', state: 'S', rssMiB: 2600 },
  { pid: 2480, comm: 'postgres', state: 'S', rssMiB: 410 },
  { pid: 2977, comm: 'nginx', state: 'S', rssMiB: 18 },
  { pid: 3310, comm: 'fluent-bit', state: 'S', rssMiB: 27 },
  { pid: 3645, comm: 'envoy', state: 'R', rssMiB: 64 },
];

export function request(scene: SceneSample[], scenario: Scenario = 'MEMORY', requestedAtMs = T0 + 25_000): DiagnosisRequest {
  return {
    id: `request-${scenario}-${requestedAtMs}`,
    anomalyIds: ['anomaly-1'],
    entity: { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null },
    scenario,
    metric: 'node_memory_MemAvailable_bytes',
    requestedAtMs,
    scene,
  };
}

function rss(pid: number, comm: string, state: string, bytes: number, timestampMs: number): SceneSample {
  return { name: 'process_rss_bytes', labels: { pid: String(pid), comm, state }, value: bytes, timestampMs };
}

/**
 * Six snapshots 5 s apart of 15 steady processes (each jittering by a few pages, java the largest
 * by far), a prometheus that creeps up 2 MiB, and, when `hog` is set, python3 pid 4242 growing
 * 40 MiB/s from 512 MiB. MemAvailable falls by what the hog takes.
 */
export function memoryHogScene({ hog = true } = {}): SceneSample[] {
  const scene: SceneSample[] = [];
  for (let snapshot = 0; snapshot < 6; snapshot++) {
    const timestampMs = T0 + snapshot * 5_000;
    for (const [index, p] of steadyProcesses.entries()) {
      const jitterPages = ((index * 7 + snapshot * 3) % 5) - 2;
      scene.push(rss(p.pid, p.comm, p.state, p.rssMiB * MiB + jitterPages * PAGE, timestampMs));
    }
    scene.push(rss(5120, 'prometheus', 'S', 300 * MiB + snapshot * 0.4 * MiB, timestampMs));
    const hogBytes = hog ? 512 * MiB + snapshot * 5 * 40 * MiB : 0;
    if (hog) scene.push(rss(4242, 'python3', snapshot < 5 ? 'R' : 'D', hogBytes, timestampMs));
    scene.push({ name: 'node_memory_MemTotal_bytes', labels: {}, value: 32 * 1024 * MiB, timestampMs });
    scene.push({ name: 'node_memory_MemAvailable_bytes', labels: {}, value: 12 * 1024 * MiB - hogBytes, timestampMs });
  }
  return scene;
}

const oomDir = fileURLToPath(new URL('./oom/', import.meta.url));
const readOom = (file: string) => readFileSync(oomDir + file, 'utf8');

/** The recorded OOM victim: its pid, its status read 0.5 s in, and its RSS in the kernel's kill line. */
export function oomCapture() {
  const victimPid = Number(/^pid (\d+)/.exec(readOom('victim-pid'))![1]);
  const status = readOom('proc-status-early');
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(status)![1]!.trim();
  const earlyRssBytes = Number(/^(\d+) kB$/.exec(field('VmRSS'))![1]) * 1024;
  const kill = /Killed process (\d+) \((.+?)\) total-vm:\d+kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB/.exec(readOom('dmesg.txt'))!;
  return {
    victimPid,
    comm: field('Name'),
    earlyStatusPid: Number(field('Pid')),
    earlyState: field('State').charAt(0),
    earlyRssBytes,
    lateStatusIsEmpty: readOom('proc-status-late').length === 0,
    killedPid: Number(kill[1]),
    killedComm: kill[2]!,
    rssAtKillBytes: (Number(kill[3]) + Number(kill[4]) + Number(kill[5])) * 1024,
  };
}

/** Two snapshots of the victim: record.sh's read at 0.5 s and its RSS at the kill, timed at the late read (0.8 s). */
export function oomScene(): SceneSample[] {
  const c = oomCapture();
  return [
    rss(c.earlyStatusPid, c.comm, c.earlyState, c.earlyRssBytes, T0 + 500),
    rss(c.killedPid, c.killedComm, 'R', c.rssAtKillBytes, T0 + 800),
  ];
}
