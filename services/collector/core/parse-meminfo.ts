import type { Sample } from '../../../src/codec/records.generated.js';
import { numberOrReport, type Problems } from './problems.js';
import { sample } from './samples.js';

/**
 * /proc/meminfo → one sample per field, named as node_exporter does: `Active(anon)` becomes
 * `node_memory_Active_anon_bytes` (kB × 1024); fields without a unit keep their value and get no
 * `_bytes` suffix (`HugePages_Total` → `node_memory_HugePages_Total`).
 */
export function parseMeminfo(text: string, problems: Problems): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const field = line.slice(0, colon).trim().replace(/\(/g, '_').replace(/\)/g, '');
    const [valueText, unit] = line.slice(colon + 1).trim().split(/\s+/);
    const value = numberOrReport(valueText, `meminfo ${field}`, problems);
    if (value === undefined) continue;
    if (unit === 'kB') samples.push(sample(`node_memory_${field}_bytes`, value * 1024));
    else samples.push(sample(`node_memory_${field}`, value));
  }
  return samples;
}
