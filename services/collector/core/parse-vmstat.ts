import type { Sample } from '../../../src/codec/records.generated.js';
import { numberOrReport, type Problems } from './problems.js';
import { sample } from './samples.js';

/**
 * /proc/vmstat → `node_vmstat_<field>` for every field (node_exporter exports only a default
 * subset; we keep all, e.g. reclaim counters such as allocstall_* and pgscan_direct, because
 * diagnosis needs them).
 */
export function parseVmstat(text: string, problems: Problems): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const [field, valueText] = line.trim().split(/\s+/);
    if (!field) continue;
    const value = numberOrReport(valueText, `vmstat ${field}`, problems);
    if (value !== undefined) samples.push(sample(`node_vmstat_${field}`, value));
  }
  return samples;
}
