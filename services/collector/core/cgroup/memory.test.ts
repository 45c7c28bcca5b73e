import { describe, expect, it } from 'vitest';
import { readFixture } from '../../testing/fixtures.js';
import { problemList } from '../problems.js';
import {
  activeWorkingSetBytes, memoryStatUnit, parseCount, parseMemoryEventsV2, parseMemoryLimitV1, parseMemoryMaxV2, parseMemoryStatV1,
  parseMemoryStatV2, parseOomControlV1, workingSetBytes,
} from './memory.js';

const oom = (...file: string[]): string => readFixture('cgroup', 'kernel', 'captured', 'oom', ...file);
const session520 = (file: string): string =>
  readFixture('cgroup', 'elastic', 'docker2', 'sys', 'fs', 'cgroup', 'user.slice', 'user-1000.slice', 'session-520.scope', file);

describe('v1 memory (kernel/captured/oom: a 64 MiB memcg filling up until the OOM killer fires)', () => {
  it('computes both working sets from memory.stat and memory.usage_in_bytes', () => {
    const problems = problemList();
    const stat = parseMemoryStatV1(oom('cgroup-early', 'memory.stat'), problems);
    const usageBytes = parseCount(oom('cgroup-early', 'memory.usage_in_bytes'), 'memory.usage_in_bytes', problems);
    // The file says rss 53260288, inactive_anon 53153792, active_anon 4096, inactive_file 12955648, active_file 520192.
    expect(stat.get('anon')).toBe(53260288);
    expect(usageBytes).toBe(67096576);
    const memory = { usageBytes, stat, events: {} };
    expect(workingSetBytes(memory)).toBe(67096576 - 12955648); // kubelet: usage − inactive_file = 54140928
    expect(activeWorkingSetBytes(memory)).toBe(53153792 + 4096 + 520192); // 53678080
    expect(problems.list).toEqual([]);
  });

  it('names v1 fields in the v2 vocabulary, the hierarchical total_* value winning', () => {
    const stat = parseMemoryStatV1('cache 10\nrss 20\nmapped_file 3\ndirty 1\nhierarchical_memory_limit 67108864\ntotal_cache 110\ntotal_rss 120\n', problemList());
    expect(Object.fromEntries(stat)).toEqual({ file: 110, anon: 120, file_mapped: 3, file_dirty: 1 });
  });

  it('reads the limit, 9223372036854771712 meaning unlimited, and the OOM counters after the kill', () => {
    const problems = problemList();
    expect(parseMemoryLimitV1(oom('cgroup-early', 'memory.limit_in_bytes'), problems)).toBe(64 * 1024 * 1024);
    expect(parseMemoryLimitV1('9223372036854771712\n', problems)).toBeUndefined();
    expect(parseOomControlV1(oom('cgroup-after', 'memory.oom_control'), problems)).toBe(1);
    expect(parseCount(oom('cgroup-after', 'memory.failcnt'), 'memory.failcnt', problems)).toBe(3363);
    expect(problems.list).toEqual([]);
  });
});

describe('v2 memory', () => {
  it('reads session-520.scope (elastic docker2): memory.current 10498404352, memory.max max', () => {
    const problems = problemList();
    expect(parseCount(session520('memory.current'), 'memory.current', problems)).toBe(10498404352);
    expect(parseMemoryMaxV2(session520('memory.max'), problems)).toBeUndefined();
    const stat = parseMemoryStatV2(session520('memory.stat'), problems);
    expect([stat.get('anon'), stat.get('file')]).toEqual([1411100672, 8621432832]);
    expect(parseMemoryEventsV2(session520('memory.events'), problems)).toEqual({ high: 0, max: 0, oom: 0, oomKill: 0 });
    expect(problems.list).toEqual([]);
  });

  // Built from the kernel's Documentation/admin-guide/cgroup-v2.rst ("memory.events", "memory.stat"):
  // this machine's kernel has no v2 memory controller, so these files could not be recorded here.
  // The keys are the documented ones, the values made up.
  it('reads memory.events with every documented key, and classifies every documented memory.stat field', () => {
    const events = 'low 0\nhigh 12\nmax 7\noom 2\noom_kill 3\noom_group_kill 1\nsock_throttled 0\n';
    expect(parseMemoryEventsV2(events, problemList())).toEqual({ high: 12, max: 7, oom: 2, oomKill: 3 });
    const bytes = ['anon', 'file', 'kernel', 'kernel_stack', 'pagetables', 'sec_pagetables', 'percpu', 'sock', 'vmalloc', 'shmem', 'zswap',
      'zswapped', 'file_mapped', 'file_dirty', 'file_writeback', 'swapcached', 'anon_thp', 'file_thp', 'shmem_thp', 'inactive_anon',
      'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable', 'slab', 'zswap_incomp', 'hugetlb'];
    const counters = ['workingset_refault_anon', 'workingset_refault_file', 'workingset_activate_anon', 'workingset_activate_file',
      'workingset_restore_anon', 'workingset_restore_file', 'workingset_nodereclaim', 'pswpin', 'pswpout', 'pgscan', 'pgsteal',
      'pgscan_kswapd', 'pgscan_direct', 'pgscan_khugepaged', 'pgscan_proactive', 'pgsteal_kswapd', 'pgsteal_direct', 'pgsteal_khugepaged',
      'pgsteal_proactive', 'pgfault', 'pgmajfault', 'pgrefill', 'pgactivate', 'pgdeactivate', 'pglazyfree', 'pglazyfreed', 'swpin_zero',
      'swpout_zero', 'zswpin', 'zswpout', 'zswpwb', 'thp_fault_alloc', 'thp_collapse_alloc', 'thp_swpout', 'thp_swpout_fallback',
      'numa_pages_migrated', 'numa_pte_updates', 'numa_hint_faults', 'pgdemote_kswapd', 'pgdemote_direct', 'pgdemote_khugepaged',
      'pgdemote_proactive'];
    expect(bytes.filter((field) => memoryStatUnit(field) !== 'bytes')).toEqual([]);
    expect(counters.filter((field) => memoryStatUnit(field) !== 'total')).toEqual([]);
    expect(memoryStatUnit('some_future_field')).toBeUndefined();
  });

  it('clamps the kubelet working set at 0 when inactive_file exceeds usage', () => {
    expect(workingSetBytes({ usageBytes: 10, stat: new Map([['inactive_file', 25]]), events: {} })).toBe(0);
  });

  it('skips and reports bad lines, keeping the rest', () => {
    const problems = problemList();
    expect(Object.fromEntries(parseMemoryStatV2('anon 5\nfile x\nbroken\nshmem 2\n', problems))).toEqual({ anon: 5, shmem: 2 });
    expect(problems.list).toEqual(['memory.stat: unexpected line "file x"', 'memory.stat: unexpected line "broken"']);
  });
});
