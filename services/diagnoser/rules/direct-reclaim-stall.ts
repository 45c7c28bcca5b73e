import type { Fact } from '../../../src/codec/records.generated.js';
import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import type { Evidence, RuleOutcome } from '../core/evidence.js';
import type { CgroupView } from '../core/scene-view.js';
import { cgroupLabel, cgroupLatest, counterRate, latestGauge, percent } from './memory-reading.js';

/** Memory PSI `some` avg10 at or above this: tasks waited on memory a tenth of the time. */
const PSI_SOME_RATIO = 0.1;
/** `full` avg10 at or above this: every task stalled 5 % of the time. */
const PSI_FULL_RATIO = 0.05;
/** Direct-reclaim activity that counts: allocation stalls and pages scanned per second. */
const MIN_ALLOCSTALL_PER_SECOND = 5;
const MIN_PGSCAN_DIRECT_PER_SECOND = 1000;

const allocstallNames = ['node_vmstat_allocstall', 'node_vmstat_allocstall_dma', 'node_vmstat_allocstall_dma32', 'node_vmstat_allocstall_normal', 'node_vmstat_allocstall_movable', 'node_vmstat_allocstall_device'];
const pgscanDirectNames = ['node_vmstat_pgscan_direct', 'node_vmstat_pgscan_direct_dma', 'node_vmstat_pgscan_direct_dma32', 'node_vmstat_pgscan_direct_normal', 'node_vmstat_pgscan_direct_movable'];

function sumRates(evidence: Evidence, names: readonly string[]): number | undefined {
  let sum: number | undefined;
  for (const name of names) {
    const rate = counterRate(evidence.scene, name);
    if (rate !== undefined) sum = (sum ?? 0) + rate;
  }
  return sum;
}

/**
 * Allocations stalling in direct reclaim: the free pages ran below the min watermark, so the
 * allocating tasks scan and reclaim themselves (allocstall, pgscan_direct) and wait (memory PSI).
 * Needs the stall itself — PSI memory above 10 % some / 5 % full — and, when the counters have two
 * readings, direct reclaim actually running. Names the cgroup that waits most when the scene has
 * cgroup PSI.
 */
export function directReclaimStall(evidence: Evidence): RuleOutcome {
  const { scene } = evidence;
  const some = latestGauge(scene, 'node_pressure_memory_waiting_avg10_ratio');
  const full = latestGauge(scene, 'node_pressure_memory_stalled_avg10_ratio');
  const allocstall = sumRates(evidence, allocstallNames);
  const pgscanDirect = sumRates(evidence, pgscanDirectNames);
  if (some === undefined && full === undefined && allocstall === undefined && pgscanDirect === undefined) {
    return { missing: ['no memory PSI and no two vmstat readings: direct-reclaim stalls not checked'] };
  }
  const stalled = (some ?? 0) >= PSI_SOME_RATIO || (full ?? 0) >= PSI_FULL_RATIO;
  const reclaiming = (allocstall ?? 0) >= MIN_ALLOCSTALL_PER_SECOND || (pgscanDirect ?? 0) >= MIN_PGSCAN_DIRECT_PER_SECOND;
  // With PSI the stall must show there; without it, direct reclaim must be running.
  if (some !== undefined || full !== undefined ? !stalled : !reclaiming) return undefined;
  // Tasks waiting on memory while the counters show no direct reclaim: thrashing on refaults, not this.
  if (stalled && (allocstall !== undefined || pgscanDirect !== undefined) && !reclaiming) return undefined;

  let worst: { cgroup: CgroupView; some: number } | undefined;
  for (const cgroup of scene.cgroups()) {
    const value = cgroupLatest(scene, cgroup, 'pressure_memory_waiting_avg10_ratio') ?? counterRate(scene, 'cgroup_pressure_memory_waiting_seconds_total', { cgroup: cgroup.path });
    if (value !== undefined && value >= PSI_SOME_RATIO && (!worst || value > worst.some)) worst = { cgroup, some: value };
  }
  const minFree = scene.sysctl('vm.min_free_kbytes');
  const total = latestGauge(scene, 'node_memory_MemTotal_bytes');
  const available = latestGauge(scene, 'node_memory_MemAvailable_bytes');
  const facts: Fact[] = [];
  if (some !== undefined) facts.push(fact('memory PSI some avg10', some, 'ratio', 'share of time some task waited on memory'));
  if (full !== undefined) facts.push(fact('memory PSI full avg10', full, 'ratio', 'share of time all non-idle tasks waited on memory'));
  if (allocstall !== undefined) facts.push(fact('allocation stalls', allocstall, 'stalls/s', 'node_vmstat_allocstall_*'));
  if (pgscanDirect !== undefined) facts.push(fact('pages scanned by direct reclaim', pgscanDirect, 'pages/s', 'node_vmstat_pgscan_direct'));
  const kswapd = counterRate(scene, 'node_vmstat_pgscan_kswapd');
  if (kswapd !== undefined) facts.push(fact('pages scanned by kswapd', kswapd, 'pages/s', 'node_vmstat_pgscan_kswapd'));
  if (available !== undefined) facts.push(fact('MemAvailable', available, 'bytes', 'node_memory_MemAvailable_bytes'));
  if (minFree !== undefined) facts.push(fact('vm.min_free_kbytes', minFree, 'KiB', 'node_sysctl_vm_min_free_kbytes'));
  if (worst) facts.unshift(fact('cgroup memory PSI some avg10', worst.some, 'ratio', cgroupLabel(worst.cgroup)));
  const missing = allocstall === undefined && pgscanDirect === undefined ? ['one vmstat reading: allocstall and pgscan_direct rates unknown'] : [];

  const newMinFree = total !== undefined ? Math.max((minFree ?? 0) * 2, Math.round(total / 1024 / 100)) : minFree !== undefined ? minFree * 2 : undefined;
  const where = worst ? cgroupLabel(worst.cgroup) : 'the node';
  return {
    cause: 'DIRECT_RECLAIM_STALL',
    summary: `allocations on ${where} stall in direct reclaim: memory PSI some ${percent(worst?.some ?? some ?? 0)}${allocstall !== undefined ? `, ${allocstall.toFixed(0)} allocation stalls/s` : ''}${pgscanDirect !== undefined ? `, ${pgscanDirect.toFixed(0)} pages/s scanned directly` : ''}`,
    confidence: clamp(0.5 + (stalled ? 0.15 : 0) + (reclaiming ? 0.15 : 0) + Math.min(0.1, some ?? 0), 0, 0.85),
    severity: (full ?? 0) >= 0.1 || (some ?? 0) >= 0.3 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion(
        `let kswapd start earlier so allocations do not reclaim themselves${newMinFree !== undefined ? `: raise vm.min_free_kbytes to ${newMinFree} (1 % of RAM or twice the current)` : ''}, and widen the kswapd window`,
        newMinFree !== undefined ? `sudo sysctl -w vm.min_free_kbytes=${newMinFree} vm.watermark_scale_factor=200` : 'sudo sysctl -w vm.watermark_scale_factor=200',
        `${newMinFree !== undefined ? `vm.min_free_kbytes=${newMinFree} ` : ''}vm.watermark_scale_factor=200`,
      ),
      suggestion(`reduce the memory demand of ${where}: lower its limit's headroom need or move workloads off the node${available !== undefined ? ` (MemAvailable ${formatBytes(available)})` : ''}`, 'kubectl top pod -A --sort-by=memory | head'),
      suggestion('watch reclaim live', "grep -E 'allocstall|pgscan_direct|pgsteal_direct' /proc/vmstat; cat /proc/pressure/memory"),
    ],
    ...(missing.length > 0 ? { missing } : {}),
  };
}
