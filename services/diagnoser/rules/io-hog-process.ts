import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, formatBytesPerSecond, suggestion } from '../core/format.js';
import type { ProcessView } from '../core/scene-view.js';
import { counterRate, isKernelThread, percent, podName, processLabel, processMetric } from './scene-reading.js';

/** The hog moves at least this many bytes per second… */
export const MIN_HOG_BYTES_PER_SECOND = 20 * 1024 * 1024;
/** …and at least this share of the I/O of the scene's processes. */
export const MIN_HOG_SHARE = 0.6;
/** I/O pressure (some, avg10) at or above this, or a device busy this share of the time, means others wait. */
export const IO_PRESSURE = 0.1;
export const DEVICE_BUSY = 0.7;

/**
 * One process's storage I/O dominates while the node is under I/O pressure. Kernel flusher threads
 * are left to DIRTY_WRITEBACK_BURST.
 */
export function ioHogProcess(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const ioRate = (process: ProcessView) => (processMetric(process, 'io_read_bytes_per_second') ?? 0) + (processMetric(process, 'io_write_bytes_per_second') ?? 0);
  const processes = scene.processes().filter((process) => !isKernelThread(process));
  const total = processes.reduce((sum, process) => sum + ioRate(process), 0);
  const hog = processes.sort((a, b) => ioRate(b) - ioRate(a))[0];
  if (!hog || total <= 0) return undefined;
  const hogBytes = ioRate(hog);
  const share = hogBytes / total;
  if (hogBytes < MIN_HOG_BYTES_PER_SECOND || share < MIN_HOG_SHARE) return undefined;

  const pressure = scene.latest('node_pressure_io_waiting_avg10_ratio');
  let busiest: { device: string; busy: number } | undefined;
  for (const series of scene.series('node_disk_io_time_seconds_total')) {
    const busy = counterRate(series);
    if (busy !== undefined && (!busiest || busy > busiest.busy)) busiest = { device: series.labels.device ?? '?', busy: Math.min(1, busy) };
  }
  const pressured = (pressure !== undefined && pressure >= IO_PRESSURE) || (busiest !== undefined && busiest.busy >= DEVICE_BUSY);
  if (!pressured) return undefined;

  const reads = processMetric(hog, 'io_read_bytes_per_second') ?? 0;
  const writes = processMetric(hog, 'io_write_bytes_per_second') ?? 0;
  const facts = [
    fact('I/O of the process', hogBytes, 'bytes/s', `${processLabel(hog)}: reads ${formatBytesPerSecond(reads)}, writes ${formatBytesPerSecond(writes)}`),
    fact('share of process I/O', share, 'ratio', `of ${formatBytesPerSecond(total)} by the scene's processes`),
  ];
  if (pressure !== undefined) facts.push(fact('I/O pressure (some, avg10)', pressure, 'ratio', 'node_pressure_io_waiting_avg10_ratio'));
  if (busiest) facts.push(fact('busiest device utilisation', busiest.busy, 'ratio', `${busiest.device}, node_disk_io_time_seconds_total`));
  const blocked = scene.processes().filter((process) => process.state === 'D' && process !== hog);
  if (blocked.length > 0) facts.push(fact('other processes in D state', blocked.length, 'processes', blocked.slice(0, 5).map(processLabel).join(', ')));

  const pod = podName(hog.pod);
  const limitBytes = Math.max(1024 * 1024, Math.round(hogBytes / 2 / (1024 * 1024)) * 1024 * 1024);
  return {
    cause: 'IO_HOG_PROCESS',
    summary: `${processLabel(hog)} does ${formatBytesPerSecond(hogBytes)} of storage I/O (${percent(share)} of all process I/O) while ${busiest && busiest.busy >= DEVICE_BUSY ? `${busiest.device} is ${percent(busiest.busy)} busy` : `tasks wait on I/O ${percent(pressure ?? 0)} of the time`}`,
    confidence: clamp(0.45 + 0.35 * share + (pressure !== undefined && pressure >= IO_PRESSURE ? 0.1 : 0) + (blocked.length > 0 ? 0.05 : 0), 0, 0.95),
    severity: (pressure ?? 0) >= 0.4 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion(`confirm ${processLabel(hog)} is the top I/O user and see which files it touches`, `iotop -o -b -n 3 -p ${hog.pid}; ls -l /proc/${hog.pid}/fd | head -50`),
      suggestion(`lower its I/O priority to idle class so others go first`, `ionice -c 3 -p ${hog.pid}`),
      suggestion(
        `or cap its bandwidth in its cgroup at about half its current rate (${formatBytesPerSecond(limitBytes)})${pod ? ` (pod ${pod}: move it to a node or volume of its own if it needs the bandwidth)` : ''}`,
        null,
        `io.max "<MAJ:MIN> ${writes >= reads ? 'wbps' : 'rbps'}=${limitBytes}" (cgroup v2)${hog.cgroup ? ` in ${hog.cgroup}` : ''}`,
      ),
    ],
  };
}
