import type { ExpertRule } from '../core/expert-rules.js';

/**
 * /proc/vmstat event rates (pages or events per second): many sit at 0 most of the time, so a
 * relative change alone would call one major fault an anomaly; ask for at least 10 per second.
 */
export const vmstatRules: readonly ExpertRule[] = [
  // nr_* are page counts of levels that meminfo already reports in bytes.
  { name: 'vmstat-levels', metric: /^node_vmstat_nr_/, judge: false },
  // Any OOM kill is news.
  { name: 'vmstat-oom-kill', metric: 'node_vmstat_oom_kill', directions: ['SPIKE'], minAbsoluteChange: 0 },
  // Reclaim, swap and refault activity: what memory pressure looks like before it hurts.
  {
    name: 'vmstat-reclaim',
    metric: /^node_vmstat_(pgscan_(direct|kswapd)|pgsteal_(direct|kswapd)|allocstall_\w+|pswpin|pswpout|workingset_refault_\w+|compact_stall)$/,
    directions: ['SPIKE'], minAbsoluteChange: 10, minRelativeChange: 0.1,
  },
];
