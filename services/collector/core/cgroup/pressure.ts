import type { Problems } from '../problems.js';

/** One line of a pressure file: the stall time counter and its 10-second moving average. */
export interface PressureLine {
  seconds?: number;
  avg10Ratio?: number;
}

/** A cgroup's {cpu,memory,io}.pressure: `some` = some tasks waiting, `full` = all non-idle tasks stalled. */
export interface CgroupPressure {
  some?: PressureLine;
  full?: PressureLine;
}

/**
 * A cgroup pressure file (`some avg10=0.00 avg60=0.08 avg300=0.06 total=293391454`, then `full …`).
 * total is µs → seconds, avg10 a percentage → ratio. Unlike the system-wide /proc/pressure/cpu, a
 * cgroup's cpu `full` line is meaningful (every runnable task of the cgroup stalled, e.g. throttled),
 * so it is kept; this is why core/parse-pressure.ts, which drops it and names node_* series, is not
 * reused here. avg60 / avg300 are left out: the detector derives longer windows from the counter.
 */
export function parseCgroupPressure(text: string, file: string, problems: Problems): CgroupPressure {
  const pressure: CgroupPressure = {};
  for (const line of text.split('\n')) {
    const [kind, ...pairs] = line.trim().split(/\s+/);
    if (!kind) continue;
    if (kind !== 'some' && kind !== 'full') {
      problems.report(`${file}: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const entry: PressureLine = {};
    for (const pair of pairs) {
      const [key, valueText = ''] = pair.split('=');
      if (key !== 'total' && key !== 'avg10') continue;
      const value = /^\d+(?:\.\d+)?$/.test(valueText) ? Number(valueText) : Number.NaN;
      if (!Number.isFinite(value)) {
        problems.report(`${file}: ${kind} ${key}: expected a number, got ${JSON.stringify(valueText.slice(0, 40))}`);
        continue;
      }
      if (key === 'total') entry.seconds = value / 1e6;
      else entry.avg10Ratio = value / 100;
    }
    pressure[kind] = entry;
  }
  return pressure;
}
