import type { ExpertRule } from '../core/expert-rules.js';

/**
 * Pressure stall information: rates of the *_seconds_total counters and the avg*_ratio gauges are
 * shares of wall time stalled (0..1). Only a rise matters, and under 10 % stalled is not news.
 */
export const pressureRules: readonly ExpertRule[] = [
  { name: 'pressure', metric: /^node_pressure_\w+_(seconds_total|ratio)$/, directions: ['SPIKE'], neverAnomalousBelow: 0.1, minAbsoluteChange: 0.05, minRelativeChange: 0.1 },
];
