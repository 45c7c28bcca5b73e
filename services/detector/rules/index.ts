import type { ExpertRule } from '../core/expert-rules.js';
import { cpuRules } from './cpu.js';
import { memoryRules } from './memory.js';
import { pressureRules } from './pressure.js';
import { vmstatRules } from './vmstat.js';

/**
 * Every other series is collected and kept as scene, but not judged: without an expert rule a
 * statistical outlier on e.g. node_forks_total or Dirty is noise to an operator. Series earn
 * judgement by a rule above (the classifier-driven models of the detector issue widen this).
 */
export const catchAllRule: ExpertRule = { name: 'default', metric: /.*/, judge: false };

/** The detector's expert table, first match wins; extend by adding a file and listing it here. */
export const defaultExpertRules: readonly ExpertRule[] = [...memoryRules, ...cpuRules, ...pressureRules, ...vmstatRules, catchAllRule];
