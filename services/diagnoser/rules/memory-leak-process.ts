import { clamp, fact, formatBytes, formatBytesPerSecond, suggestion } from '../core/format.js';
import type { Evidence, Finding } from '../core/evidence.js';
import type { ProcessView } from '../core/scene-view.js';
import { cgroupAt, cgroupLatest, latestGauge, limitFromPeak, MiB, percent, processLabel, residentPoints, setMemoryLimitCommand, trendOf, type Trend } from './memory-reading.js';

/** Growth below this across the scene is allocator noise or warm-up, not a leak. */
export const MIN_LEAK_GROWTH_BYTES = 32 * MiB;
/** …and growth must be at least this share of where the process started. */
export const MIN_LEAK_GROWTH_RATIO = 0.1;
/** At least this share of consecutive snapshots must rise: a leak grows, it does not come and go. */
const MIN_RISES = 0.75;
/** MemAvailable (or the cgroup's headroom) running out within this many seconds at the leak's rate is critical. */
const CRITICAL_EXHAUSTION_SECONDS = 300;

interface Growth {
  process: ProcessView;
  metric: string;
  trend: Trend;
}

function growthOf(process: ProcessView): Growth | undefined {
  const { metric, points } = residentPoints(process);
  const trend = trendOf(points);
  if (!trend || points.length < 2 || trend.seconds <= 0) return undefined;
  return { process, metric, trend };
}

/**
 * One process whose resident (anonymous) memory grew steadily across the scene's snapshots: the
 * leak suspect, named with its pid, command, pod and rate. Requires real growth (32 MiB and 10 %
 * of its start) in most snapshots, so a warm-up wobble or a cache is not accused; confidence rises
 * with its share of the node's growth, the steadiness and the number of snapshots.
 */
export function memoryLeakProcess(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const growths = scene.processes().map(growthOf).filter((g): g is Growth => g !== undefined && g.trend.growth > 0);
  if (growths.length === 0) return undefined;
  const suspects = growths.filter(({ trend }) =>
    trend.growth >= MIN_LEAK_GROWTH_BYTES && trend.growth >= MIN_LEAK_GROWTH_RATIO * trend.first && trend.rises >= MIN_RISES && trend.largestDrop <= 0.05 * trend.peak);
  if (suspects.length === 0) return undefined;
  // Among suspects, growth weighted by how much of itself the process grew: a process doubling is a
  // likelier leak than a large one settling after start-up (a compiler, a cache warming) by as many bytes.
  const score = ({ trend }: Growth) => trend.growth * Math.min(1, trend.growth / Math.max(1, trend.first));
  const top = suspects.reduce((best, g) => (score(g) > score(best) ? g : best));
  const { trend, process } = top;

  const totalGrowth = growths.reduce((sum, g) => sum + g.trend.growth, 0);
  const share = trend.growth / totalGrowth;
  const snapshotsFactor = Math.min(1, (trend.points.length - 1) / 4);
  const confidence = clamp(0.45 + 0.3 * share + 0.1 * trend.rises + 0.1 * snapshotsFactor, 0, 0.95);
  const name = processLabel(process);
  const { pid } = process;
  const detail = `pid ${pid} ${process.comm}`;
  const what = top.metric === 'resident_anon_bytes' ? 'anonymous RSS' : 'RSS';

  const memAvailable = latestGauge(scene, 'node_memory_MemAvailable_bytes');
  const cgroup = process.cgroup !== undefined ? cgroupAt(scene, process.cgroup) : undefined;
  const limit = cgroup ? cgroupLatest(scene, cgroup, 'memory_limit_bytes') : undefined;
  const usage = cgroup ? cgroupLatest(scene, cgroup, 'memory_usage_bytes') : undefined;
  const headroom = limit !== undefined && usage !== undefined ? Math.max(0, limit - usage) : memAvailable;
  const exhaustionSeconds = headroom !== undefined ? headroom / trend.ratePerSecond : undefined;
  const critical = evidence.scenario === 'OOM' || (exhaustionSeconds !== undefined && exhaustionSeconds < CRITICAL_EXHAUSTION_SECONDS);

  const facts = [
    fact(`${what} growth rate`, trend.ratePerSecond, 'bytes/s', detail),
    fact(`${what} growth`, trend.growth, 'bytes', `${detail}, over ${trend.seconds.toFixed(1)} s and ${trend.points.length} snapshots`),
    fact(what, trend.last, 'bytes', detail),
    fact('snapshots in which it grew', trend.rises, 'ratio', detail),
    fact('share of the node’s process memory growth', share, 'ratio', detail),
  ];
  const missing: string[] = [];
  if (top.metric !== 'resident_anon_bytes') missing.push(`no RssAnon for ${name}: total RSS used (mapped files count too)`);
  if (limit !== undefined) facts.push(fact('cgroup memory limit', limit, 'bytes', cgroup!.path));
  if (memAvailable !== undefined) facts.push(fact('node MemAvailable', memAvailable, 'bytes', 'node_memory_MemAvailable_bytes'));
  if (exhaustionSeconds !== undefined) facts.push(fact(limit !== undefined ? 'time until the limit at this rate' : 'time until MemAvailable is used up at this rate', exhaustionSeconds, 'seconds', detail));

  const cap = limitFromPeak(trend.first);
  const capCommand = setMemoryLimitCommand(process.pod, evidence.kubernetes, cap.mebibytes);
  return {
    cause: 'MEMORY_LEAK_PROCESS',
    summary: `process ${name} grew its ${what} by ${formatBytes(trend.growth)} at ${formatBytesPerSecond(trend.ratePerSecond)} to ${formatBytes(trend.last)} (up in ${percent(trend.rises)} of snapshots)`,
    confidence,
    severity: critical ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion(`see what ${name} holds: RssAnon growing with RssFile flat is heap, not mapped files`, `grep -E 'VmRSS|RssAnon|RssFile|RssShmem|VmSwap' /proc/${pid}/status`),
      suggestion(`find the mappings that grow (run twice, compare the anon lines)`, `pmap -x ${pid} | sort -k3 -n | tail -15`),
      suggestion(`take a heap profile of ${name} with its runtime's tool (tracemalloc, pprof, jmap, heaptrack) and fix the allocation that is never released`, `heaptrack -p ${pid}`),
      suggestion(
        `until it is fixed, contain it with a memory limit of ${cap.mebibytes} MiB (${cap.why.replace('the observed peak', 'its size at the start of the scene')}), so it is restarted before it starves the node`,
        capCommand,
        `memory.max=${cap.mebibytes}M (cgroup v2) or resources.limits.memory: ${cap.mebibytes}Mi`,
      ),
    ],
    ...(missing.length > 0 ? { missing } : {}),
  };
}
