import type { ExpertRule } from '../core/expert-rules.js';
import { cpuRules } from './cpu.js';
import { memoryRules } from './memory.js';
import { pressureRules } from './pressure.js';
import { vmstatRules } from './vmstat.js';

/** Every other series: a change under 10 % of its median is a wiggle, not an anomaly. */
export const catchAllRule: ExpertRule = { name: 'default', metric: /.*/, minRelativeChange: 0.1 };

/** The detector's expert table, first match wins; extend by adding a file and listing it here. */
export const defaultExpertRules: readonly ExpertRule[] = [...memoryRules, ...cpuRules, ...pressureRules, ...vmstatRules, catchAllRule];
