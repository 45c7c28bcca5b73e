import type { Problems } from '../problems.js';
import { flatKeyedValue, parseFlatKeyed, parseSingleValue, rememberedLines, scanFlatKeyed } from './values.js';

/** One cgroup's memory, in cgroup v2's vocabulary whatever the hierarchy version. */
export interface CgroupMemory {
  usageBytes?: number;
  /** Undefined when unlimited (or unreadable). */
  limitBytes?: number;
  /** memory.stat by v2 field name (v1 names normalised, see parseMemoryStatV1). */
  stat: Map<string, number>;
  /** memory.events (v2); v1 has only max (memory.failcnt) and oom_kill (memory.oom_control). */
  events: { high?: number; max?: number; oom?: number; oomKill?: number };
}

/**
 * memory.stat fields that are amounts of memory in bytes (cgroup-v2.rst, "memory.stat"; `swap` is v1's).
 * Every other known field is an event count; see memoryStatUnit.
 */
const byteFields = new Set([
  'anon', 'file', 'kernel', 'kernel_stack', 'pagetables', 'sec_pagetables', 'percpu', 'sock', 'vmalloc', 'shmem',
  'zswap', 'zswapped', 'zswap_incomp', 'file_mapped', 'file_dirty', 'file_writeback', 'swapcached', 'anon_thp', 'file_thp',
  'shmem_thp', 'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable',
  'slab_unreclaimable', 'slab', 'hugetlb', 'swap',
]);
/** Event counters of memory.stat (page faults, reclaim scans, refaults, swap-ins, THP and NUMA events). */
const counterPattern = /^(?:pg[a-z_]*|pswp(?:in|out)|workingset_[a-z_]+|thp_[a-z_]+|numa_[a-z_]+|zswp(?:in|out|wb)|swp(?:in|out)_zero)$/;

/** `bytes` for an amount, `total` for an event counter, undefined for a field this version does not know (skipped). */
export function memoryStatUnit(field: string): 'bytes' | 'total' | undefined {
  if (byteFields.has(field)) return 'bytes';
  return counterPattern.test(field) ? 'total' : undefined;
}

/** v2 memory.stat, field → value as the kernel prints it (bytes or counts). */
export function parseMemoryStatV2(text: string, problems: Problems): Map<string, number> {
  return parseFlatKeyed(text, 'memory.stat', problems);
}

/** v1 names whose v2 counterpart has another name; the rest (shmem, active_file, pgfault, …) are the same. */
const v1ToV2 = new Map([
  ['cache', 'file'],
  ['rss', 'anon'],
  ['rss_huge', 'anon_thp'],
  ['mapped_file', 'file_mapped'],
  ['dirty', 'file_dirty'],
  ['writeback', 'file_writeback'],
]);

/** What one line of a v1 memory.stat means: the v2 field it sets (none: skipped), and whether it is the hierarchical total. */
interface V1StatLine {
  key: string;
  field: string | undefined;
  total: boolean;
}

function v1StatLine(key: string): V1StatLine {
  if (key.startsWith('hierarchical_')) return { key, field: undefined, total: false };
  const total = key.startsWith('total_');
  const local = total ? key.slice('total_'.length) : key;
  return { key, field: v1ToV2.get(local) ?? local, total };
}

/**
 * The lines of the last v1 memory.stat, by position (RememberedLines): every cgroup's file has the
 * same keys in the same order, so a line is nearly always understood without cutting out its key or
 * looking up its v2 name.
 */
const v1StatLines = rememberedLines(v1StatLine, (line) => line.key);

/**
 * v1 memory.stat in v2's vocabulary: rss → anon, cache → file, rss_huge → anon_thp, mapped_file →
 * file_mapped, dirty → file_dirty, writeback → file_writeback. v1 prints each field twice: local to
 * the cgroup (`rss`) and over the cgroup and its descendants (`total_rss`). v2's memory.stat and
 * memory.usage_in_bytes are hierarchical, and kubelet (cAdvisor) takes `total_inactive_file` for the
 * working set, so the total_* value wins when present and the local one is kept only when it is not.
 * hierarchical_memory_limit / hierarchical_memsw_limit are limits, not usage: skipped.
 */
export function parseMemoryStatV1(text: string, problems: Problems): Map<string, number> {
  const stat = new Map<string, number>();
  const totals: (string | number)[] = []; // field, value, field, value, …
  let position = 0;
  scanFlatKeyed(text, 'memory.stat', problems, (keyStart, keyEnd, value) => {
    const line = v1StatLines.at(position++, text, keyStart, keyEnd);
    if (line.field === undefined) return;
    if (line.total) totals.push(line.field, value);
    else stat.set(line.field, value);
  });
  for (let i = 0; i < totals.length; i += 2) stat.set(totals[i] as string, totals[i + 1] as number);
  return stat;
}

/**
 * The largest v1 limit that still means something. v1 prints "no limit" as PAGE_COUNTER_MAX × page
 * size (9223372036854771712 with 4 KiB pages, other values with 16 / 64 KiB pages); anything at or
 * above 2^62 bytes (4 EiB) is treated as unlimited.
 */
const v1UnlimitedBytes = 2 ** 62;

/** v1 memory.limit_in_bytes → bytes, or undefined when unlimited. */
export function parseMemoryLimitV1(text: string, problems: Problems): number | undefined {
  const value = parseSingleValue(text, 'memory.limit_in_bytes', problems);
  return typeof value === 'number' && value < v1UnlimitedBytes ? value : undefined;
}

/** v2 memory.max → bytes, or undefined for `max` (unlimited). */
export function parseMemoryMaxV2(text: string, problems: Problems): number | undefined {
  const value = parseSingleValue(text, 'memory.max', problems);
  return typeof value === 'number' ? value : undefined;
}

/** A single byte count (memory.current, memory.usage_in_bytes, memory.failcnt). */
export function parseCount(text: string, file: string, problems: Problems): number | undefined {
  const value = parseSingleValue(text, file, problems);
  if (value === 'max') {
    problems.report(`${file}: expected a number, got "max"`);
    return undefined;
  }
  return value;
}

/** v2 memory.events → the high, max, oom and oom_kill counters (low and oom_group_kill are not published). */
export function parseMemoryEventsV2(text: string, problems: Problems): CgroupMemory['events'] {
  const values = parseFlatKeyed(text, 'memory.events', problems);
  return { high: values.get('high'), max: values.get('max'), oom: values.get('oom'), oomKill: values.get('oom_kill') };
}

/** v1 memory.oom_control → its oom_kill counter (kernels ≥ 4.13), undefined on older kernels. */
export function parseOomControlV1(text: string, problems: Problems): number | undefined {
  return flatKeyedValue(text, 'memory.oom_control', problems, 'oom_kill');
}

/**
 * kubelet's working set (what `kubectl top` shows and evictions use): usage − inactive_file, 0 when
 * inactive_file exceeds usage.
 */
export function workingSetBytes(memory: CgroupMemory): number | undefined {
  const inactiveFile = memory.stat.get('inactive_file');
  if (memory.usageBytes === undefined || inactiveFile === undefined) return undefined;
  return Math.max(0, memory.usageBytes - inactiveFile);
}

/** The memory on the LRU lists the kernel would not reclaim first: inactive_anon + active_anon + active_file. */
export function activeWorkingSetBytes(memory: CgroupMemory): number | undefined {
  const inactiveAnon = memory.stat.get('inactive_anon');
  const activeAnon = memory.stat.get('active_anon');
  const activeFile = memory.stat.get('active_file');
  if (inactiveAnon === undefined || activeAnon === undefined || activeFile === undefined) return undefined;
  return inactiveAnon + activeAnon + activeFile;
}
