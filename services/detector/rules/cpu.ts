import type { ExpertRule } from '../core/expert-rules.js';

/**
 * CPU: rates of node_cpu_seconds_total are busy shares of one CPU (0..1). Below 30 % a CPU is never
 * anomalous, and a change under 10 points of one CPU is noise. The idle mode mirrors the busy
 * modes, so it is not judged twice.
 */
export const cpuRules: readonly ExpertRule[] = [
  { name: 'cpu-idle', metric: /^node_cpu(_guest)?_seconds_total$/, labels: { mode: /^idle$/ }, judge: false },
  { name: 'cpu-busy', metric: /^node_cpu(_guest)?_seconds_total$/, directions: ['SPIKE'], neverAnomalousBelow: 0.5, minAbsoluteChange: 0.3, minRelativeChange: 0.1 },
  { name: 'cpu-boot-time', metric: 'node_boot_time_seconds', judge: false },
  // Load and run queue: only a rise matters, and a change of a few tasks is noise.
  { name: 'load', metric: /^node_(load1|load5|load15|procs_running|procs_blocked)$/, directions: ['SPIKE'], minAbsoluteChange: 4, minRelativeChange: 0.1 },
];
