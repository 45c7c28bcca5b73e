/**
 * The rule library: every rule with the scenarios it runs for. diagnose() runs every rule of the
 * request's scenario and ranks the findings; a `fallback` rule runs only when no other rule of the
 * scenario found anything. One line per rule, one import per rule.
 */
import type { Scenario } from '../../../src/codec/records.generated.js';
import type { Rule } from '../core/evidence.js';
import { directReclaimStall } from './direct-reclaim-stall.js';
import { jvmOffHeap } from './jvm-off-heap.js';
import { memoryHighTopProcess } from './memory-high-top-process.js';
import { memoryLeakProcess } from './memory-leak-process.js';
import { memoryLimitTooLow } from './memory-limit-too-low.js';
import { nodeMemoryPressureEviction } from './node-memory-pressure-eviction.js';
import { oomKill } from './oom-kill.js';
import { pageCacheNotLeak } from './page-cache-not-leak.js';
import { shmemGrowth } from './shmem-growth.js';
import { slabUnreclaimableGrowth } from './slab-unreclaimable-growth.js';
import { workingSetDefinitionsDiffer } from './working-set-definitions.js';
import { cpuLimitTooLow } from './cpu-limit-too-low.js';
import { cpuThrottleBursts } from './cpu-throttle-bursts.js';
import { loadFromDState } from './load-from-d-state.js';
import { runqueueNoisyNeighbour } from './runqueue-noisy-neighbour.js';
import { dirtyWritebackBurst } from './dirty-writeback-burst.js';
import { ioHogProcess } from './io-hog-process.js';
import { diskNearlyFull } from './disk-nearly-full.js';
import { tcpRetransmitDrops } from './tcp-retransmit-drops.js';
import { listenQueueOverflow } from './listen-queue-overflow.js';
import { conntrackNearFull } from './conntrack-near-full.js';
import { pidExhaustion } from './pid-exhaustion.js';
import { hungTasks } from './hung-tasks.js';
import { fdExhaustion } from './fd-exhaustion.js';
import { crashloopAfterOomKilled } from './crashloop-after-oomkilled.js';
import { evictionNodePressure } from './eviction-node-pressure.js';

export interface RuleEntry {
  rule: Rule;
  scenarios: readonly Scenario[];
  /** Runs only when no other rule of the scenario found anything. */
  fallback?: boolean;
}

export const rules: readonly RuleEntry[] = [
  { rule: memoryLeakProcess, scenarios: ['MEMORY', 'OOM'] },
  { rule: memoryLimitTooLow, scenarios: ['MEMORY', 'OOM'] },
  { rule: oomKill, scenarios: ['OOM', 'MEMORY'] },
  { rule: jvmOffHeap, scenarios: ['MEMORY', 'OOM'] },
  { rule: pageCacheNotLeak, scenarios: ['MEMORY'] },
  { rule: workingSetDefinitionsDiffer, scenarios: ['MEMORY'] },
  { rule: slabUnreclaimableGrowth, scenarios: ['MEMORY', 'OOM'] },
  { rule: directReclaimStall, scenarios: ['MEMORY', 'OOM', 'LOAD'] },
  { rule: shmemGrowth, scenarios: ['MEMORY', 'OOM'] },
  { rule: nodeMemoryPressureEviction, scenarios: ['MEMORY', 'OOM'] },
  { rule: memoryHighTopProcess, scenarios: ['MEMORY', 'OOM'], fallback: true },
  { rule: cpuLimitTooLow, scenarios: ['LOAD', 'CPU_THROTTLE'] },
  { rule: cpuThrottleBursts, scenarios: ['CPU_THROTTLE', 'SCHED', 'LOAD'] },
  { rule: loadFromDState, scenarios: ['LOAD', 'IO'] },
  { rule: runqueueNoisyNeighbour, scenarios: ['SCHED', 'LOAD'] },
  { rule: dirtyWritebackBurst, scenarios: ['IO', 'DISK', 'LOAD'] },
  { rule: ioHogProcess, scenarios: ['IO', 'DISK', 'LOAD'] },
  { rule: diskNearlyFull, scenarios: ['DISK', 'IO'] },
  { rule: tcpRetransmitDrops, scenarios: ['NETWORK'] },
  { rule: listenQueueOverflow, scenarios: ['NETWORK'] },
  { rule: conntrackNearFull, scenarios: ['NETWORK'] },
  { rule: pidExhaustion, scenarios: ['PIDS', 'LOAD', 'OTHER'] },
  { rule: hungTasks, scenarios: ['LOAD', 'IO', 'OTHER'] },
  { rule: fdExhaustion, scenarios: ['OTHER'] },
  { rule: crashloopAfterOomKilled, scenarios: ['OOM', 'MEMORY'] },
  { rule: evictionNodePressure, scenarios: ['MEMORY', 'DISK', 'PIDS', 'OOM'] },
];
