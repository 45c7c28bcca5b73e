import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import { latest, ratePerSecond, type SceneView, type SeriesView } from '../core/scene-view.js';
import { percent } from './scene-reading.js';

/**
 * Metric names are node_exporter's filesystem collector's (node_filesystem_size_bytes,
 * node_filesystem_avail_bytes, node_filesystem_files, node_filesystem_files_free, labelled
 * {mountpoint, device, fstype}); the collector does not publish them yet, another source is adding
 * them under those names. `_files_bytes` / `_files_free_bytes` spellings are read too.
 */
const SIZE = ['node_filesystem_size_bytes'];
const AVAIL = ['node_filesystem_avail_bytes'];
const FILES = ['node_filesystem_files', 'node_filesystem_files_bytes'];
const FILES_FREE = ['node_filesystem_files_free', 'node_filesystem_files_free_bytes'];

/** Space or inodes left at or below this share: kubelet's default eviction line is nodefs.available < 10 %. */
export const NEARLY_FULL_FREE_RATIO = 0.1;
/** Or filling up so fast that it is full within this many seconds. */
export const FULL_WITHIN_SECONDS = 3600;
/** Read-only images and pseudo filesystems are full by design. */
const IGNORED_FSTYPES = new Set(['squashfs', 'iso9660', 'tmpfs', 'devtmpfs', 'ramfs', 'proc', 'sysfs', 'cgroup', 'cgroup2', 'overlay', 'nsfs', 'fuse.lxcfs', 'erofs', 'autofs']);

interface Filling {
  mountpoint: string;
  device: string;
  fstype: string;
  kind: 'space' | 'inodes';
  total: number;
  free: number;
  freeRatio: number;
  /** Seconds until nothing is left at the scene's rate; undefined when not shrinking. */
  fullInSeconds: number | undefined;
}

function firstSeries(scene: SceneView, names: string[], labels: Record<string, string>): SeriesView | undefined {
  for (const name of names) {
    const series = scene.one(name, labels);
    if (series) return series;
  }
  return undefined;
}

function fillings(scene: SceneView): Filling[] {
  const out: Filling[] = [];
  const mounts = SIZE.flatMap((name) => scene.series(name));
  for (const sizeSeries of mounts) {
    const { mountpoint = '?', device = '?', fstype = '?' } = sizeSeries.labels;
    if (IGNORED_FSTYPES.has(fstype)) continue;
    const match = { mountpoint, device, fstype };
    for (const [kind, totalNames, freeNames] of [['space', SIZE, AVAIL], ['inodes', FILES, FILES_FREE]] as const) {
      const total = latest(firstSeries(scene, [...totalNames], match));
      const freeSeries = firstSeries(scene, [...freeNames], match);
      const free = latest(freeSeries);
      if (total === undefined || free === undefined || total <= 0) continue;
      const slope = ratePerSecond(freeSeries);
      out.push({ mountpoint, device, fstype, kind, total, free, freeRatio: free / total, fullInSeconds: slope !== undefined && slope < 0 ? free / -slope : undefined });
    }
  }
  return out;
}

/** A filesystem, or its inode table, nearly full or filling up within the hour. */
export function diskNearlyFull(evidence: Evidence): Finding | undefined {
  const candidates = fillings(evidence.scene).filter(
    (f) => f.freeRatio <= NEARLY_FULL_FREE_RATIO || (f.fullInSeconds !== undefined && f.fullInSeconds <= FULL_WITHIN_SECONDS && f.freeRatio <= 0.3),
  );
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => a.freeRatio - b.freeRatio);
  const worst = candidates[0]!;
  const what = worst.kind === 'space' ? 'space' : 'inodes';
  const left = worst.kind === 'space' ? formatBytes(worst.free) : `${worst.free} inodes`;

  const facts = [
    fact(`free ${what} on ${worst.mountpoint}`, worst.freeRatio, 'ratio', `${left} of ${worst.kind === 'space' ? formatBytes(worst.total) : `${worst.total} inodes`}, ${worst.device} (${worst.fstype})`),
    fact(`free ${what}`, worst.free, worst.kind === 'space' ? 'bytes' : 'inodes', worst.mountpoint),
  ];
  if (worst.fullInSeconds !== undefined) facts.push(fact('time until full at the current rate', worst.fullInSeconds, 'seconds', worst.mountpoint));
  for (const other of candidates.slice(1, 4)) facts.push(fact(`free ${other.kind} on ${other.mountpoint}`, other.freeRatio, 'ratio', `${other.device} (${other.fstype})`));

  const m = worst.mountpoint;
  const suggestions =
    worst.kind === 'space'
      ? [
          suggestion(`find what fills ${m}`, `du -xh --max-depth=2 ${m} 2>/dev/null | sort -h | tail -20`),
          suggestion('look for deleted files still held open (space not returned until the process closes them)', `lsof -nP +L1 ${m} 2>/dev/null | head -20`),
          suggestion('free the usual suspects on a node: unused images and old journal logs', 'crictl rmi --prune; journalctl --vacuum-size=500M'),
        ]
      : [
          suggestion(`find the directories with the most files on ${m} (inodes run out from many small files)`, `find ${m} -xdev -printf '%h\\n' 2>/dev/null | sort | uniq -c | sort -n | tail -20`),
          suggestion('remove the small files (caches, session or temp files) or recreate the filesystem with more inodes', null, 'mkfs.ext4 -i <bytes-per-inode> (a smaller ratio gives more inodes)'),
        ];

  return {
    cause: 'DISK_NEARLY_FULL',
    summary: `${m} (${worst.device}) has ${percent(worst.freeRatio)} of its ${what} left (${left})${worst.fullInSeconds !== undefined ? `, full in ${Math.round(worst.fullInSeconds / 60)} min at the current rate` : ''}`,
    confidence: clamp(0.6 + 3 * (NEARLY_FULL_FREE_RATIO - Math.min(NEARLY_FULL_FREE_RATIO, worst.freeRatio)) + (worst.fullInSeconds !== undefined ? 0.1 : 0), 0, 0.95),
    severity: worst.freeRatio <= 0.05 || (worst.fullInSeconds !== undefined && worst.fullInSeconds <= 600) ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions,
  };
}
