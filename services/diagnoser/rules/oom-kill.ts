import type { Fact, Suggestion } from '../../../src/codec/records.generated.js';
import { clamp, fact, formatBytes, formatBytesPerSecond, suggestion } from '../core/format.js';
import type { Evidence, Finding, RuleOutcome } from '../core/evidence.js';
import type { CgroupView, PodRef, Point, ProcessView } from '../core/scene-view.js';
import {
  cgroupAt, cgroupLabel, cgroupLatest, cgroupPoints, containerSpec, counterIncrease, limitFromPeak, MiB, oomKilledStatuses, percent,
  podName, processLabel, residentPoints, samePath, setMemoryLimitCommand, trendOf, type Trend,
} from './memory-reading.js';

/** One OOM kill, from whichever witness saw it: the kernel's report, a cgroup's oom_kill counter, the container status. */
interface OomKill {
  pid?: string;
  comm?: string;
  /** CONSTRAINT_MEMCG (a cgroup hit its limit) or CONSTRAINT_NONE (the node ran out). */
  constraint?: string;
  cgroup?: CgroupView;
  cgroupPath?: string;
  pod?: PodRef;
  atMs?: number;
  /** Resident memory of the victim at the kill (anon + file + shmem from the kernel's report). */
  rssAtKillBytes?: number;
  memcgUsageBytes?: number;
  memcgLimitBytes?: number;
  witnesses: string[];
  /** Kubernetes: the container that was OOMKilled and its restarts. */
  container?: string;
  restarts?: number;
}

/** The victim's cgroup working set (or usage) is this close to its limit when it is "at the limit". */
const AT_LIMIT_RATIO = 0.9;
/** Growth before the kill of at least this share of the limit (or of the start) is a trajectory, not noise. */
const GROWTH_RATIO = 0.05;
/** A kernel OOM report older than this before the request is history, not this anomaly's cause (the collector's kmsg backlog window). */
export const OOM_EVENT_MAX_AGE_MS = 5 * 60_000;
/** A neighbour must have grown at least this much to be blamed for a node-wide OOM. */
const NEIGHBOUR_MIN_GROWTH_BYTES = 64 * MiB;

function killsOf(evidence: Evidence): OomKill[] {
  const { scene } = evidence;
  const kills: OomKill[] = [];
  for (const event of scene.events('oom_kill')) {
    const path = event.labels.task_memcg ?? event.labels.memcg;
    const cgroup = path !== undefined ? cgroupAt(scene, path) : undefined;
    const seconds = event.details.get('timestamp_seconds');
    if (seconds !== undefined && seconds * 1000 < evidence.requestedAtMs - OOM_EVENT_MAX_AGE_MS) continue;
    const anon = event.value;
    const file = event.details.get('file_rss_bytes') ?? 0;
    const shmem = event.details.get('shmem_rss_bytes') ?? 0;
    kills.push({
      pid: event.labels.pid,
      comm: event.labels.comm,
      constraint: event.labels.constraint,
      cgroup,
      cgroupPath: path,
      pod: cgroup?.pod,
      atMs: seconds !== undefined ? seconds * 1000 : event.timestampMs,
      rssAtKillBytes: anon + file + shmem,
      memcgUsageBytes: event.details.get('memcg_usage_bytes'),
      memcgLimitBytes: event.details.get('memcg_limit_bytes'),
      witnesses: ['kernel OOM report'],
    });
  }
  for (const cgroup of scene.cgroups()) {
    const points = cgroupPoints(scene, cgroup, 'memory_events_oom_kill_total');
    const increase = counterIncrease(scene, 'cgroup_memory_events_oom_kill_total', { cgroup: cgroup.path });
    // One snapshot of a counter says an OOM kill happened at some time; only an OOM request makes it this one.
    const killed = increase !== undefined ? increase > 0 : evidence.scenario === 'OOM' && (points[0]?.value ?? 0) > 0;
    if (!killed) continue;
    const known = kills.find((k) => k.cgroupPath !== undefined && samePath(k.cgroupPath, cgroup.path));
    if (known) {
      known.witnesses.push('cgroup memory.events oom_kill');
      continue;
    }
    const firstAfter = increase !== undefined ? points.find((p, i) => i > 0 && p.value > points[i - 1]!.value) : undefined;
    kills.push({ cgroup, cgroupPath: cgroup.path, pod: cgroup.pod, atMs: firstAfter?.timestampMs, constraint: 'CONSTRAINT_MEMCG', witnesses: ['cgroup memory.events oom_kill'] });
  }
  for (const status of oomKilledStatuses(evidence.kubernetes)) {
    const pod = evidence.kubernetes!.pod!;
    const atMs = status.state.reason === 'OOMKilled' ? status.state.atMs : status.lastState?.finishedAtMs;
    const known = kills.find((k) => (k.pod?.pod === pod.name && k.pod?.namespace === pod.namespace) || kills.length === 1);
    if (known) {
      known.witnesses.push(`container status OOMKilled (${status.name})`);
      known.container = status.name;
      known.restarts = status.restartCount;
      known.pod ??= { namespace: pod.namespace, pod: pod.name, container: status.name, ownerKind: pod.ownerKind, ownerName: pod.ownerName };
      continue;
    }
    kills.push({
      pod: { namespace: pod.namespace, pod: pod.name, container: status.name, ownerKind: pod.ownerKind, ownerName: pod.ownerName },
      atMs,
      container: status.name,
      restarts: status.restartCount,
      witnesses: [`container status OOMKilled (${status.name})`],
    });
  }
  return kills;
}

/** The victim's memory before the kill: its process's resident memory, closed by its RSS in the kernel's report; else its cgroup's working set. */
function trajectoryOf(evidence: Evidence, kill: OomKill): { what: string; trend: Trend } | undefined {
  const before = (points: Point[]) => points.filter((p) => kill.atMs === undefined || p.timestampMs <= kill.atMs);
  const victim = kill.pid !== undefined ? evidence.scene.processes().find((p) => p.pid === kill.pid && (kill.comm === undefined || p.comm === kill.comm)) : undefined;
  if (victim) {
    const { points } = residentPoints(victim);
    const path = before(points);
    // The kernel's report is the victim's last reading: same quantity as VmRSS (anon + file + shmem).
    const rss = before(victim.metrics.get('rss_bytes')?.points ?? []);
    const series = kill.rssAtKillBytes !== undefined && kill.atMs !== undefined ? [...rss, { timestampMs: kill.atMs, value: kill.rssAtKillBytes }] : path;
    const trend = trendOf(series);
    if (trend && series.length >= 2) return { what: `${processLabel(victim)} RSS`, trend };
  }
  if (kill.cgroup) {
    for (const metric of ['memory_working_set_bytes', 'memory_usage_bytes']) {
      const points = before(cgroupPoints(evidence.scene, kill.cgroup, metric));
      const withKill = kill.memcgUsageBytes !== undefined && kill.atMs !== undefined && metric === 'memory_usage_bytes' ? [...points, { timestampMs: kill.atMs, value: kill.memcgUsageBytes }] : points;
      const trend = trendOf(withKill);
      if (trend && withKill.length >= 2) return { what: `${cgroupLabel(kill.cgroup)} ${metric === 'memory_usage_bytes' ? 'usage' : 'working set'}`, trend };
    }
  }
  return undefined;
}

/** The process or cgroup on the node that grew most before the kill, outside the victim's cgroup. */
function neighbourOf(evidence: Evidence, kill: OomKill): { name: string; pod?: PodRef; trend: Trend; process?: ProcessView } | undefined {
  let best: { name: string; pod?: PodRef; trend: Trend; process?: ProcessView } | undefined;
  for (const process of evidence.scene.processes()) {
    if (process.pid === kill.pid) continue;
    if (kill.cgroupPath !== undefined && process.cgroup !== undefined && samePath(process.cgroup, kill.cgroupPath)) continue;
    const trend = trendOf(residentPoints(process).points.filter((p) => kill.atMs === undefined || p.timestampMs <= kill.atMs));
    if (trend && trend.growth > (best?.trend.growth ?? 0)) best = { name: processLabel(process), pod: process.pod, trend, process };
  }
  return best && best.trend.growth >= NEIGHBOUR_MIN_GROWTH_BYTES && best.trend.rises >= 0.5 ? best : undefined;
}

function victimName(kill: OomKill): string {
  const pod = podName(kill.pod);
  const process = kill.pid !== undefined ? `${kill.comm ?? '?'} (pid ${kill.pid})` : undefined;
  if (process && pod) return `${process} in pod ${pod}`;
  if (process) return `${process}${kill.cgroupPath ? ` in cgroup ${kill.cgroupPath}` : ''}`;
  if (pod) return `pod ${pod}${kill.container ? ` container ${kill.container}` : ''}`;
  return `cgroup ${kill.cgroupPath ?? '?'}`;
}

/**
 * An OOM kill (the kernel's report, a cgroup's oom_kill counter, or a container status OOMKilled),
 * split by the victim's trajectory before it: steady growth up to the kill is a leak (OOM_LEAK);
 * flat near the limit is a limit too low for the workload (OOM_LIMIT_TOO_LOW); a node-wide OOM
 * (no memcg constraint, or the victim well under its limit) while another process surged is a
 * noisy neighbour (OOM_NOISY_NEIGHBOUR).
 */
export function oomKill(evidence: Evidence): RuleOutcome {
  const kills = killsOf(evidence);
  if (kills.length === 0) return undefined;
  const kill = kills[kills.length - 1]!;
  const { scene, kubernetes } = evidence;
  const missing: string[] = [];
  const spec = containerSpec(kubernetes, kill.container ?? kill.pod?.container);
  const limit = kill.memcgLimitBytes ?? (kill.cgroup ? cgroupLatest(scene, kill.cgroup, 'memory_limit_bytes') : undefined) ?? spec?.memoryLimitBytes;
  const victim = victimName(kill);
  const trajectory = trajectoryOf(evidence, kill);
  if (!trajectory) missing.push(`no samples of ${victim} before the kill: leak and limit too low not told apart`);
  if (!kill.cgroup && kill.cgroupPath !== undefined) missing.push(`no cgroup samples for ${kill.cgroupPath}`);
  if (limit === undefined) missing.push(`no memory limit known for ${victim}`);

  const facts: Fact[] = [fact('OOM kills seen', kills.length, 'kills', kills.map((k) => k.witnesses.join(' + ')).join('; '))];
  if (kill.rssAtKillBytes !== undefined) facts.push(fact('victim RSS at the kill', kill.rssAtKillBytes, 'bytes', victim));
  if (limit !== undefined) facts.push(fact('memory limit', limit, 'bytes', kill.cgroupPath ?? spec?.name ?? null));
  if (kill.memcgUsageBytes !== undefined) facts.push(fact('cgroup usage at the kill', kill.memcgUsageBytes, 'bytes', kill.cgroupPath ?? null));
  if (kill.restarts !== undefined) facts.push(fact('container restarts', kill.restarts, 'restarts', kill.container ?? null));
  if (trajectory) {
    facts.push(fact('growth before the kill', trajectory.trend.growth, 'bytes', `${trajectory.what}, over ${trajectory.trend.seconds.toFixed(1)} s and ${trajectory.trend.points.length} readings`));
    facts.push(fact('growth rate before the kill', trajectory.trend.ratePerSecond, 'bytes/s', trajectory.what));
    facts.push(fact('readings that rose', trajectory.trend.rises, 'ratio', trajectory.what));
  }

  const nodeWide = kill.constraint === 'CONSTRAINT_NONE' || (limit === undefined && kill.constraint !== 'CONSTRAINT_MEMCG');
  const underLimit = limit !== undefined && trajectory !== undefined && trajectory.trend.peak < 0.8 * limit && kill.constraint !== 'CONSTRAINT_MEMCG';
  const neighbour = nodeWide || underLimit ? neighbourOf(evidence, kill) : undefined;
  const base: Pick<Finding, 'severity' | 'missing'> = { severity: 'CRITICAL', ...(missing.length > 0 ? { missing } : {}) };
  const pod = kill.pod;

  if (neighbour) {
    facts.unshift(fact('neighbour growth before the kill', neighbour.trend.growth, 'bytes', `${neighbour.name}, at ${formatBytesPerSecond(neighbour.trend.ratePerSecond)}`));
    const cap = limitFromPeak(neighbour.trend.first);
    return {
      cause: 'OOM_NOISY_NEIGHBOUR',
      summary: `${victim} was OOM-killed by the node's OOM killer while ${neighbour.name} grew ${formatBytes(neighbour.trend.growth)} at ${formatBytesPerSecond(neighbour.trend.ratePerSecond)}`,
      confidence: clamp(0.55 + 0.3 * neighbour.trend.rises, 0, 0.9),
      facts,
      suggestions: [
        suggestion(`cap ${neighbour.name} with a memory limit (${cap.mebibytes} MiB: ${cap.why.replace('the observed peak', 'its size before the surge')}) so its surge kills itself, not its neighbours`, setMemoryLimitCommand(neighbour.pod, undefined, cap.mebibytes), `resources.limits.memory: ${cap.mebibytes}Mi`),
        suggestion(`give ${victim} memory requests equal to its limits (Guaranteed QoS): the OOM killer and kubelet take BestEffort and Burstable pods first`, pod?.namespace && pod.pod ? `kubectl -n ${pod.namespace} get pod ${pod.pod} -o jsonpath='{.status.qosClass}'` : null),
        suggestion('see who holds the node’s memory now', 'kubectl top pod -A --sort-by=memory | head -15'),
      ],
      ...base,
    };
  }

  const limitSuggestions = (peak: number): Suggestion[] => {
    const next = limitFromPeak(peak);
    return [
      suggestion(
        `raise the memory limit of ${victim} to ${next.mebibytes} MiB: ${next.why}${limit !== undefined ? ` (now ${formatBytes(limit)})` : ''}`,
        setMemoryLimitCommand(pod, kubernetes, next.mebibytes),
        `resources.limits.memory: ${next.mebibytes}Mi (and requests.memory to match for Guaranteed QoS), or memory.max=${next.mebibytes}M`,
      ),
    ];
  };

  const trend = trajectory?.trend;
  const growthShare = trend ? trend.growth / (limit ?? Math.max(1, trend.first)) : 0;
  if (trend && trend.rises >= 0.75 && growthShare >= GROWTH_RATIO) {
    return {
      cause: 'OOM_LEAK',
      summary: `${victim} was OOM-killed after growing ${formatBytes(trend.growth)} at ${formatBytesPerSecond(trend.ratePerSecond)} until it hit ${limit !== undefined ? `its ${formatBytes(limit)} limit` : 'the node’s memory'}`,
      confidence: clamp(0.55 + 0.2 * trend.rises + 0.1 * Math.min(1, (trend.points.length - 1) / 4) + (kill.witnesses.length > 1 ? 0.05 : 0), 0, 0.92),
      facts,
      suggestions: [
        suggestion(`a bigger limit only delays a leak: at ${formatBytesPerSecond(trend.ratePerSecond)} it fills any limit; profile the heap of ${victim} and fix what is never freed`),
        suggestion('read what it logged before it died', pod?.namespace && pod.pod ? `kubectl -n ${pod.namespace} logs ${pod.pod}${kill.container ? ` -c ${kill.container}` : ''} --previous` : 'journalctl -k | grep -A40 "invoked oom-killer"'),
        suggestion('watch its resident memory grow after the restart (anon growing, file flat = heap)', kill.pid !== undefined ? `watch -n5 "grep -E 'RssAnon|RssFile' /proc/$(pgrep -n ${kill.comm ?? 'APP'})/status"` : 'kubectl top pod --containers'),
      ],
      ...base,
    };
  }

  const nearLimit = limit !== undefined && trend !== undefined && trend.points.every((p) => p.value >= AT_LIMIT_RATIO * limit);
  const peak = Math.max(trend?.peak ?? 0, kill.memcgUsageBytes ?? 0, kill.rssAtKillBytes ?? 0, limit ?? 0);
  if (nearLimit) {
    return {
      cause: 'OOM_LIMIT_TOO_LOW',
      summary: `${victim} was OOM-killed while steady at ${percent(trend!.peak / limit!)} of its ${formatBytes(limit!)} limit: the limit is below what it needs`,
      confidence: clamp(0.6 + 0.1 * Math.min(1, (trend!.points.length - 1) / 3) + (kill.witnesses.length > 1 ? 0.05 : 0), 0, 0.85),
      facts,
      suggestions: limitSuggestions(peak),
      ...base,
    };
  }
  // The kill is certain, its trajectory is not: most OOM kills without growth are a limit below the working set.
  return {
    cause: 'OOM_LIMIT_TOO_LOW',
    summary: `${victim} was OOM-killed at its ${limit !== undefined ? `${formatBytes(limit)} ` : ''}limit${trend ? ` without steady growth before (${formatBytes(trend.growth)} over ${trend.seconds.toFixed(1)} s)` : ' (no readings before the kill)'}`,
    confidence: trend ? 0.5 : 0.4,
    facts,
    suggestions: [
      ...limitSuggestions(peak),
      suggestion('check whether it grows after the restart: steady growth would make this a leak, not a small limit', pod?.namespace && pod.pod ? `kubectl -n ${pod.namespace} top pod ${pod.pod} --containers` : null),
    ],
    ...base,
  };
}
