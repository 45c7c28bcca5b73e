import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import { processName, type Evidence, type Finding } from '../core/evidence.js';
import { memoryLimitSuggestion } from './memory-limit.js';

/**
 * Fallback when no process grew: the largest resident process in the latest process table.
 * Confidence is its share of all resident memory, capped low: being big is not proof of fault.
 */
export function memoryHighTopProcess(evidence: Evidence): Finding | undefined {
  const latestMs = evidence.latestProcessSnapshotMs;
  if (latestMs === undefined) return undefined;
  const current = evidence.processes
    .map((process) => ({ process, snapshot: process.snapshots[process.snapshots.length - 1]! }))
    .filter(({ snapshot }) => snapshot.timestampMs === latestMs && snapshot.rssBytes > 0);
  if (current.length === 0) return undefined;
  const top = current.reduce((best, c) => (c.snapshot.rssBytes > best.snapshot.rssBytes ? c : best));
  const totalRssBytes = current.reduce((sum, c) => sum + c.snapshot.rssBytes, 0);
  const share = top.snapshot.rssBytes / totalRssBytes;
  const name = processName(top.process);
  const { pid } = top.process;
  const detail = `pid ${pid} ${top.process.comm}`;

  const facts = [fact('rss', top.snapshot.rssBytes, 'bytes', detail), fact('share of process rss on node', share, 'ratio', detail)];
  if (evidence.memAvailableBytes !== undefined) {
    facts.push(fact('node MemAvailable', evidence.memAvailableBytes, 'bytes', 'node_memory_MemAvailable_bytes'));
  }
  if (evidence.memTotalBytes !== undefined) {
    facts.push(fact('share of node memory', top.snapshot.rssBytes / evidence.memTotalBytes, 'ratio', detail));
  }

  return {
    cause: 'MEMORY_HIGH_TOP_PROCESS',
    summary: `process ${name} holds the most memory: RSS ${formatBytes(top.snapshot.rssBytes)} (${(share * 100).toFixed(0)} % of process RSS on the node)`,
    confidence: clamp(0.2 + 0.4 * share, 0, 0.6),
    severity: 'WARNING',
    facts,
    suggestions: [
      suggestion(`inspect ${name}: VmRSS, RssAnon and VmSwap tell heap from mapped files`, `cat /proc/${pid}/status`),
      suggestion(`see which mappings of ${name} hold the memory`, `pmap -x ${pid}`),
      memoryLimitSuggestion(`if that is more than it should need, cap ${name} with a memory limit`, top.snapshot.rssBytes),
    ],
  };
}
