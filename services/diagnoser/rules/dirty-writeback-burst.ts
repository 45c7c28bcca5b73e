import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, formatBytes, formatBytesPerSecond, suggestion } from '../core/format.js';
import type { ProcessView } from '../core/scene-view.js';
import { processLabel, processMetric, summedRate } from './scene-reading.js';

/** vm.dirty_background_ratio at or below this starts background writeback early (the default is 10). */
export const LOW_BACKGROUND_RATIO = 5;
/** Dirty + Writeback at least this share of the background threshold: the flusher is running. */
export const NEAR_THRESHOLD = 0.8;
/** Disk writes below this are not a burst. */
export const MIN_DISK_WRITE_BYTES_PER_SECOND = 10 * 1024 * 1024;

/** Kernel flusher threads: `kworker/u16:2+flush-8:0` (5.x+), `kworker/u8:3-writeback`, old `flush-8:0`. */
const FLUSHER = /^(kworker\/.*(flush|writeback)|flush-\d|writeback)/;

/**
 * An I/O burst from dirty-page writeback: kworker flush threads among the top writers (or blocked in
 * writeback), Dirty + Writeback at the background threshold, and vm.dirty_background_ratio set low
 * (the field case: 5), so writeback starts early and in bursts. /proc/<pid>/io charges written bytes
 * to the process that dirtied the pages, so the top non-kworker writer is the one producing them.
 */
export function dirtyWritebackBurst(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const backgroundRatio = scene.sysctl('vm.dirty_background_ratio');
  const backgroundBytesSetting = scene.sysctl('vm.dirty_background_bytes') ?? 0;
  const dirtyRatio = scene.sysctl('vm.dirty_ratio');
  const dirty = scene.latest('node_memory_Dirty_bytes');
  const writeback = scene.latest('node_memory_Writeback_bytes') ?? 0;
  const available = scene.latest('node_memory_MemAvailable_bytes');
  if (backgroundRatio === undefined || backgroundRatio > LOW_BACKGROUND_RATIO || backgroundBytesSetting > 0) return undefined;
  if (dirty === undefined || available === undefined) return undefined;

  // The kernel's base is dirtyable memory (free + file pages); MemAvailable is the collector's closest figure.
  const thresholdBytes = (backgroundRatio / 100) * available;
  const pendingBytes = dirty + writeback;
  if (pendingBytes < NEAR_THRESHOLD * thresholdBytes) return undefined;

  const diskWrites = summedRate(scene, 'node_disk_written_bytes_total');
  if (diskWrites !== undefined && diskWrites < MIN_DISK_WRITE_BYTES_PER_SECOND) return undefined;

  const processes = scene.processes();
  const writeRate = (process: ProcessView) => processMetric(process, 'io_write_bytes_per_second') ?? 0;
  const byWrites = [...processes].sort((a, b) => writeRate(b) - writeRate(a));
  const flushers = processes.filter((process) => FLUSHER.test(process.comm));
  const topFlusher = byWrites.slice(0, 3).find((process) => FLUSHER.test(process.comm));
  const busyFlushers = flushers.filter((process) => process.state === 'D' || process.state === 'R' || topFlusher === process);
  const dirtier = byWrites.find((process) => !FLUSHER.test(process.comm) && writeRate(process) > 0);
  // The burst is under way (flushers busy, pages under writeback) or about to be: a heavy writer keeps
  // dirtying pages right at the low background threshold.
  const heavyDirtier = dirtier !== undefined && writeRate(dirtier) >= MIN_DISK_WRITE_BYTES_PER_SECOND;
  if (busyFlushers.length === 0 && writeback < 0.1 * thresholdBytes && !heavyDirtier) return undefined;

  const newBackgroundRatio = 10;
  const newDirtyRatio = Math.max(20, dirtyRatio ?? 0, 2 * newBackgroundRatio);
  const facts = [
    fact('vm.dirty_background_ratio', backgroundRatio, '%', 'background writeback starts at this share of dirtyable memory (default 10)'),
    fact('Dirty + Writeback', pendingBytes, 'bytes', `Dirty ${formatBytes(dirty)}, Writeback ${formatBytes(writeback)}`),
    fact('background writeback threshold', thresholdBytes, 'bytes', `${backgroundRatio} % of MemAvailable ${formatBytes(available)}`),
  ];
  if (diskWrites !== undefined) facts.push(fact('disk writes', diskWrites, 'bytes/s', 'node_disk_written_bytes_total'));
  if (busyFlushers.length > 0) facts.push(fact('busy kernel flusher threads', busyFlushers.length, 'threads', busyFlushers.slice(0, 5).map(processLabel).join(', ')));
  if (dirtier) facts.push(fact('top process dirtying pages', writeRate(dirtier), 'bytes/s', `${processLabel(dirtier)}, ${formatBytesPerSecond(writeRate(dirtier))}`));
  if (dirtyRatio !== undefined) facts.push(fact('vm.dirty_ratio', dirtyRatio, '%', 'writers are throttled above this'));

  const culprit = topFlusher ?? busyFlushers[0];
  return {
    cause: 'DIRTY_WRITEBACK_BURST',
    summary: `dirty-page writeback burst${culprit ? ` by ${processLabel(culprit)}` : ''}: ${formatBytes(pendingBytes)} dirty/under writeback with vm.dirty_background_ratio = ${backgroundRatio}${dirtier ? `; pages dirtied by ${processLabel(dirtier)}` : ''}`,
    confidence: clamp(0.55 + (topFlusher ? 0.2 : busyFlushers.length > 0 ? 0.1 : 0) + (diskWrites !== undefined ? 0.1 : 0) + (dirtier ? 0.05 : 0), 0, 0.95),
    severity: 'WARNING',
    facts,
    suggestions: [
      suggestion(
        `raise vm.dirty_background_ratio from ${backgroundRatio} to ${newBackgroundRatio} so writeback starts later and in larger, smoother batches`,
        `sysctl -w vm.dirty_background_ratio=${newBackgroundRatio}`,
        `vm.dirty_background_ratio=${newBackgroundRatio}`,
      ),
      suggestion(
        `keep vm.dirty_ratio at ${newDirtyRatio} (at least twice the background ratio) so writers are not throttled first`,
        `sysctl -w vm.dirty_ratio=${newDirtyRatio}`,
        `vm.dirty_ratio=${newDirtyRatio}`,
      ),
      suggestion(
        'make it survive a reboot',
        `printf 'vm.dirty_background_ratio = ${newBackgroundRatio}\\nvm.dirty_ratio = ${newDirtyRatio}\\n' > /etc/sysctl.d/90-writeback.conf && sysctl --system`,
      ),
      suggestion('watch Dirty and Writeback drain', "watch -n1 'grep -E \"^(Dirty|Writeback):\" /proc/meminfo'"),
    ],
  };
}
