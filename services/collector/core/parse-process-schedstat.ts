import { integerOrReport } from './parse-process-number.js';
import type { Problems } from './problems.js';

/** /proc/<pid>/schedstat: scheduler statistics of the process's main thread (the kernel keeps them per thread). */
export interface ProcessSchedstat {
  /** Time on a CPU (sum_exec_runtime), in seconds. */
  runSeconds: number;
  /** Time runnable but waiting for a CPU (run_delay), in seconds: CPU contention, CFS throttling included. */
  runDelaySeconds: number;
  /** Times the thread was scheduled onto a CPU. */
  timeslices: number;
}

/**
 * Parses `411605849 93680043 79` (nanoseconds on CPU, nanoseconds waiting, timeslices). A file with
 * another shape is reported and yields undefined.
 */
export function parseProcessSchedstat(text: string, problems: Problems): ProcessSchedstat | undefined {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 3) {
    problems.report(`process schedstat: expected 3 fields, got ${JSON.stringify(text.slice(0, 80))}`);
    return undefined;
  }
  const [runNanoseconds, runDelayNanoseconds, timeslices] = fields.map((field, index) => integerOrReport(field, `process schedstat field ${index + 1}`, problems));
  if (runNanoseconds === undefined || runDelayNanoseconds === undefined || timeslices === undefined) return undefined;
  return { runSeconds: runNanoseconds / 1e9, runDelaySeconds: runDelayNanoseconds / 1e9, timeslices };
}
