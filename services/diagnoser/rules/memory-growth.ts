import { clamp, fact, formatBytes, formatBytesPerSecond, suggestion } from '../core/format.js';
import { processName, type Evidence, type Finding, type ProcessHistory } from '../core/evidence.js';
import { memoryLimitSuggestion } from './memory-limit.js';

/** Growth below this between first and last snapshot is allocator noise, not a finding. */
export const MIN_GROWTH_BYTES = 1024 * 1024;
/** MemAvailable running out within this many seconds at the culprit's rate makes the finding critical. */
const CRITICAL_EXHAUSTION_SECONDS = 300;

interface Growth {
  process: ProcessHistory;
  firstRssBytes: number;
  rssBytes: number;
  growthBytes: number;
  durationSeconds: number;
  bytesPerSecond: number;
  /** Fraction of consecutive snapshots in which RSS rose: 1 = monotonic, as a leak looks. */
  steadiness: number;
}

function growthOf(process: ProcessHistory): Growth | undefined {
  const { snapshots } = process;
  if (snapshots.length < 2) return undefined;
  const first = snapshots[0]!;
  const last = snapshots[snapshots.length - 1]!;
  const durationSeconds = (last.timestampMs - first.timestampMs) / 1000;
  if (durationSeconds <= 0) return undefined;
  let rises = 0;
  for (let i = 1; i < snapshots.length; i++) if (snapshots[i]!.rssBytes > snapshots[i - 1]!.rssBytes) rises++;
  const growthBytes = last.rssBytes - first.rssBytes;
  return {
    process,
    firstRssBytes: first.rssBytes,
    rssBytes: last.rssBytes,
    growthBytes,
    durationSeconds,
    bytesPerSecond: growthBytes / durationSeconds,
    steadiness: rises / (snapshots.length - 1),
  };
}

/**
 * The process whose RSS grew most across the scene's snapshots. Confidence rises with how much of
 * all RSS growth on the node is this one process and with how steadily it grew.
 */
export function memoryGrowth(evidence: Evidence): Finding | undefined {
  const growths = evidence.processes.map(growthOf).filter((g): g is Growth => g !== undefined && g.growthBytes > 0);
  if (growths.length === 0) return undefined;
  const top = growths.reduce((best, g) => (g.growthBytes > best.growthBytes ? g : best));
  if (top.growthBytes < MIN_GROWTH_BYTES) return undefined;

  const totalGrowthBytes = growths.reduce((sum, g) => sum + g.growthBytes, 0);
  const share = top.growthBytes / totalGrowthBytes;
  const confidence = clamp(0.3 + 0.5 * share + 0.15 * top.steadiness, 0, 0.95);
  const name = processName(top.process);
  const { pid } = top.process;
  const exhaustionSeconds =
    evidence.memAvailableBytes !== undefined ? evidence.memAvailableBytes / top.bytesPerSecond : undefined;
  const critical =
    evidence.scenario === 'OOM' || (exhaustionSeconds !== undefined && exhaustionSeconds < CRITICAL_EXHAUSTION_SECONDS);

  const detail = `pid ${pid} ${top.process.comm}`;
  const facts = [
    fact('rss growth rate', top.bytesPerSecond, 'bytes/s', detail),
    fact('rss growth', top.growthBytes, 'bytes', `${detail}, over ${top.durationSeconds.toFixed(1)} s`),
    fact('rss', top.rssBytes, 'bytes', detail),
    fact('share of node rss growth', share, 'ratio', detail),
  ];
  if (evidence.memAvailableBytes !== undefined) {
    facts.push(fact('node MemAvailable', evidence.memAvailableBytes, 'bytes', 'node_memory_MemAvailable_bytes'));
    facts.push(fact('time until MemAvailable is used up at this rate', exhaustionSeconds!, 'seconds', detail));
  }

  return {
    cause: 'MEMORY_GROWTH_PROCESS',
    summary: `process ${name} grew its RSS by ${formatBytes(top.growthBytes)} at ${formatBytesPerSecond(top.bytesPerSecond)} to ${formatBytes(top.rssBytes)}`,
    confidence,
    severity: critical ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion(`inspect ${name}: VmRSS, RssAnon and VmSwap tell heap growth from mapped files`, `cat /proc/${pid}/status`),
      suggestion(`see which mappings of ${name} hold the memory`, `pmap -x ${pid}`),
      memoryLimitSuggestion(
        `if it is a leak, restart ${name} and cap it with a memory limit above its expected working set`,
        top.firstRssBytes,
      ),
    ],
  };
}
