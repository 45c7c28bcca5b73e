import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import type { Evidence, Finding } from '../core/evidence.js';
import { latestGauge, limitFromPeak, percent, processLabel, residentPoints } from './memory-reading.js';

/** The node is short of memory when MemAvailable is below this share of MemTotal. */
const LOW_AVAILABLE_RATIO = 0.1;

/**
 * Fallback when no other memory rule applies and the node really is short of memory (MemAvailable
 * under 10 %): the largest resident process in the latest process table. Confidence is its share of
 * all resident memory, capped low: being big is not proof of fault. Silent on a node with memory to spare.
 */
export function memoryHighTopProcess(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const available = latestGauge(scene, 'node_memory_MemAvailable_bytes');
  const total = latestGauge(scene, 'node_memory_MemTotal_bytes');
  if (available === undefined || total === undefined || available >= LOW_AVAILABLE_RATIO * total) return undefined;
  const latestMs = scene.times.length > 0 ? Math.max(...scene.processes().flatMap((p) => residentPoints(p).points.map((point) => point.timestampMs))) : undefined;
  if (latestMs === undefined || !Number.isFinite(latestMs)) return undefined;
  const current = scene.processes()
    .map((process) => ({ process, rss: process.metrics.get('rss_bytes')?.points.find((p) => p.timestampMs === latestMs)?.value ?? 0 }))
    .filter((c) => c.rss > 0);
  if (current.length === 0) return undefined;
  const top = current.reduce((best, c) => (c.rss > best.rss ? c : best));
  const totalRss = current.reduce((sum, c) => sum + c.rss, 0);
  const share = top.rss / totalRss;
  const name = processLabel(top.process);
  const { pid } = top.process;
  const detail = `pid ${pid} ${top.process.comm}`;
  const cap = limitFromPeak(top.rss);
  return {
    cause: 'MEMORY_HIGH_TOP_PROCESS',
    summary: `node memory is low (MemAvailable ${formatBytes(available)}, ${percent(available / total)}) and process ${name} holds the most: RSS ${formatBytes(top.rss)} (${percent(share)} of process RSS)`,
    confidence: clamp(0.2 + 0.4 * share, 0, 0.6),
    severity: 'WARNING',
    facts: [
      fact('rss', top.rss, 'bytes', detail),
      fact('share of process rss on node', share, 'ratio', detail),
      fact('node MemAvailable', available, 'bytes', 'node_memory_MemAvailable_bytes'),
      fact('share of node memory', top.rss / total, 'ratio', detail),
    ],
    suggestions: [
      suggestion(`inspect ${name}: VmRSS, RssAnon and VmSwap tell heap from mapped files`, `cat /proc/${pid}/status`),
      suggestion(`see which mappings of ${name} hold the memory`, `pmap -x ${pid}`),
      suggestion(`if that is more than it should need, cap it at ${cap.mebibytes} MiB (${cap.why})`, null, `memory.max=${cap.mebibytes}M or resources.limits.memory: ${cap.mebibytes}Mi`),
    ],
  };
}
