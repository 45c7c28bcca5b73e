import type { Suggestion } from '../../../src/codec/records.generated.js';
import { formatBytes, suggestion } from '../core/format.js';

const MiB = 1024 * 1024;
const LIMIT_STEP_BYTES = 64 * MiB;

/**
 * The memory limit to suggest for a process whose expected working set is `workingSetBytes`:
 * 1.5 × that, rounded up to 64 MiB, so normal peaks fit and a leak is contained.
 */
export function suggestedLimitBytes(workingSetBytes: number): number {
  return Math.max(LIMIT_STEP_BYTES, Math.ceil((workingSetBytes * 1.5) / LIMIT_STEP_BYTES) * LIMIT_STEP_BYTES);
}

/** "Cap it with a limit": the cgroup v2 setting and the container-spec equivalent. */
export function memoryLimitSuggestion(action: string, workingSetBytes: number): Suggestion {
  const limitMiB = suggestedLimitBytes(workingSetBytes) / MiB;
  return suggestion(
    `${action}, e.g. ${formatBytes(limitMiB * MiB)} (1.5 × ${formatBytes(workingSetBytes)})`,
    null,
    `memory.max=${limitMiB}M (cgroup v2) or resources.limits.memory: ${limitMiB}Mi (container)`,
  );
}
