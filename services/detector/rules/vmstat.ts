import type { ExpertRule } from '../core/expert-rules.js';

/**
 * /proc/vmstat event rates (pages or events per second): many sit at 0 most of the time, so a
 * relative change alone would call one major fault an anomaly; ask for at least 10 per second.
 */
export const vmstatRules: readonly ExpertRule[] = [
  // nr_* are page counts of levels that meminfo already reports in bytes.
  { name: 'vmstat-levels', metric: /^node_vmstat_nr_/, judge: false },
  { name: 'vmstat-events', metric: /^node_vmstat_(?!nr_)/, minAbsoluteChange: 10, minRelativeChange: 0.1 },
];
