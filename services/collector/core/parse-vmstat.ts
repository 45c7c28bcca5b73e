import type { Sample } from '../../../src/codec/records.generated.js';
import { numberField, sample } from './samples.js';

/**
 * /proc/vmstat → `node_vmstat_<field>` for every field (node_exporter exports only a default
 * subset; we keep all, e.g. reclaim counters such as allocstall_* and pgscan_direct, because
 * diagnosis needs them).
 */
export function parseVmstat(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const [field, valueText] = line.trim().split(/\s+/);
    if (!field) continue;
    samples.push(sample(`node_vmstat_${field}`, numberField(valueText, `vmstat ${field}`)));
  }
  return samples;
}
