/**
 * Scenes built by the collector's own code from recorded files, so rule tests read exactly what a
 * live diagnosis reads: a `vigil capture` directory (test/fixtures/captures/<name>: copies 0 and 1
 * through every default source, its dmesg.txt through the kernel-log parser), and the recorded
 * memory-cgroup OOM kill (test/fixtures/kernel/captured/oom + test/fixtures/cgroup/kernel/captured/oom).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SceneSample } from '../../../../src/codec/records.generated.js';
import { rootsUnder } from '../../../collector/collector-setup.js';
import { createCollector } from '../../../collector/collector.js';
import { createHostFiles } from '../../../collector/host-files.js';
import { defaultSources } from '../../../collector/sources/default-sources.js';
import { memorySamples } from '../../../collector/core/cgroup/samples.js';
import { parseCount, parseMemoryLimitV1, parseMemoryStatV1, parseOomControlV1, type CgroupMemory } from '../../../collector/core/cgroup/memory.js';
import { parseDmesg } from '../../../collector/kernel/parse-dmesg.js';
import { kernelEventsOf } from '../../../collector/kernel/kernel-events.js';
import { eventSamples, eventTimeMs } from '../../../collector/kernel/kernel-samples.js';
import { parseProcessStatus } from '../../../collector/core/parse-process-status.js';

export const fixtures = fileURLToPath(new URL('../../../../test/fixtures/', import.meta.url));
const ignore = { report: () => undefined };

/** Time of a capture's last copy: when a live request about it would have been made. */
export function captureTimeMs(name: string): number {
  const meta = JSON.parse(readFileSync(`${fixtures}captures/${name}/meta.json`, 'utf8')) as { copies: { timestampMs: number }[] };
  return meta.copies[meta.copies.length - 1]!.timestampMs;
}

/** The scene of a `vigil capture` directory: both copies collected at their recorded times, oldest first. */
export async function captureScene(name: string): Promise<SceneSample[]> {
  const dir = `${fixtures}captures/${name}`;
  const meta = JSON.parse(readFileSync(`${dir}/meta.json`, 'utf8')) as { copies: { directory: string; timestampMs: number }[] };
  const sources = defaultSources({ topProcesses: 15 });
  const scene: SceneSample[] = [];
  for (const copy of meta.copies) {
    const files = createHostFiles(rootsUnder(`${dir}/${copy.directory}`));
    const { batches } = await createCollector(files, sources).collect(copy.timestampMs);
    files.close();
    for (const batch of batches) for (const s of batch.samples) scene.push({ name: s.name, labels: s.labels, value: s.value, timestampMs: copy.timestampMs });
  }
  const last = meta.copies[meta.copies.length - 1]!.timestampMs;
  // As the kernel-log source publishes them: each event with its kernel time (boot time from the copy's node_boot_time_seconds).
  const bootSeconds = scene.find((s) => s.name === 'node_boot_time_seconds')?.value;
  const boot = bootSeconds !== undefined ? bootSeconds * 1000 : undefined;
  const events = kernelEventsOf(parseDmesg(readFileSync(`${dir}/dmesg.txt`, 'utf8')), ignore);
  for (const event of events) for (const s of eventSamples(event, eventTimeMs(event, boot))) scene.push({ ...s, timestampMs: last });
  return scene;
}

const kernelOom = `${fixtures}kernel/captured/oom/`;
const cgroupOom = `${fixtures}cgroup/kernel/captured/oom/`;

function cgroupV1Memory(dir: string): CgroupMemory {
  const read = (file: string) => readFileSync(dir + file, 'utf8');
  return {
    usageBytes: parseCount(read('memory.usage_in_bytes'), 'memory.usage_in_bytes', ignore),
    limitBytes: parseMemoryLimitV1(read('memory.limit_in_bytes'), ignore),
    stat: parseMemoryStatV1(read('memory.stat'), ignore),
    events: { max: parseCount(read('memory.failcnt'), 'memory.failcnt', ignore), oomKill: parseOomControlV1(read('memory.oom_control'), ignore) },
  };
}

/** Times of the recorded OOM kill, relative to the start of the allocating process. */
export const OOM_T0 = Date.UTC(2026, 10, 24, 7, 2, 9);
export const OOM_EARLY_MS = OOM_T0 + 500;
export const OOM_KILL_MS = OOM_T0 + 800;
export const OOM_AFTER_MS = OOM_T0 + 1_000;

/**
 * The recorded memcg OOM kill as a scene: the victim's process samples from its /proc status read
 * 0.5 s in, cgroup /vigil-oom's memory files read then and after the kill, and the kernel's report
 * (dmesg.txt) as kernel_oom_kill samples at the kill (between the two reads).
 */
export function oomCaptureScene(): SceneSample[] {
  const status = parseProcessStatus(readFileSync(`${kernelOom}proc-status-early`, 'utf8'), ignore);
  const pid = /^pid (\d+)/.exec(readFileSync(`${kernelOom}victim-pid`, 'utf8'))![1]!;
  const labels = { pid, comm: 'python3', state: 'R', cgroup: '/vigil-oom' };
  const scene: SceneSample[] = [];
  const at = (timestampMs: number, name: string, value: number | undefined, l: Record<string, string>) => {
    if (value !== undefined) scene.push({ name, labels: l, value, timestampMs });
  };
  at(OOM_EARLY_MS, 'process_rss_bytes', status.residentBytes, labels);
  at(OOM_EARLY_MS, 'process_resident_anon_bytes', status.residentAnonBytes, labels);
  at(OOM_EARLY_MS, 'process_resident_file_bytes', status.residentFileBytes, labels);
  for (const [dir, t] of [['cgroup-early/', OOM_EARLY_MS], ['cgroup-after/', OOM_AFTER_MS]] as const) {
    const out: { name: string; labels: Record<string, string>; value: number }[] = [];
    memorySamples(cgroupV1Memory(cgroupOom + dir), { cgroup: '/vigil-oom' }, out);
    for (const s of out) at(t, s.name, s.value, s.labels);
  }
  for (const event of kernelEventsOf(parseDmesg(readFileSync(`${kernelOom}dmesg.txt`, 'utf8')), ignore)) {
    for (const s of eventSamples(event)) at(OOM_KILL_MS, s.name, s.value, s.labels);
  }
  return scene;
}
