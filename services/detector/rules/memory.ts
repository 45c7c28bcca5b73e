import type { ExpertRule } from '../core/expert-rules.js';

const MiB = 1024 ** 2;

/**
 * Memory: only a fall of MemAvailable is news, and only when it is large in absolute terms
 * (max(64 MiB, 1 % of MemTotal)), so an idle machine's few MiB of page-cache noise never alert.
 * A steady fall of that size is a TREND even when the window is too noisy for the z-score. Below
 * 5 % of MemTotal is critical whatever the history.
 */
export const memoryRules: readonly ExpertRule[] = [
  {
    name: 'memory-available',
    metric: 'node_memory_MemAvailable_bytes',
    directions: ['DIP'],
    minRelativeChange: 0,
    minAbsoluteChange: 64 * MiB,
    minChangeOf: { metric: 'node_memory_MemTotal_bytes', ratio: 0.01 },
    // A leak: falling in most of the last 16 steps by the same minimum.
    trend: { points: 16, minSteadyShare: 0.75 },
    floor: { name: 'memory-available-floor', ofMetric: 'node_memory_MemTotal_bytes', below: 0.05, severity: 'CRITICAL' },
  },
  // Low free memory is what Linux aims for (the rest is cache): MemAvailable is the signal.
  { name: 'memory-free', metric: 'node_memory_MemFree_bytes', judge: false },
  // Fixed by the hardware or the boot command line: not worth a baseline.
  { name: 'memory-static', metric: /^node_memory_(MemTotal|SwapTotal|CommitLimit|VmallocTotal|Hugepagesize|HugePages_Total|Hugetlb|DirectMap\w*)_bytes$|^node_memory_HugePages_Total$/, judge: false },
];
