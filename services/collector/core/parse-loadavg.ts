import type { Sample } from '../../../src/codec/records.generated.js';
import { numberOrReport, type Problems } from './problems.js';
import { sample } from './samples.js';

/** /proc/loadavg (`0.21 0.37 0.39 1/719 19737`) → node_load1, node_load5, node_load15. */
export function parseLoadavg(text: string, problems: Problems): Sample[] {
  const fields = text.trim().split(/\s+/);
  const samples: Sample[] = [];
  ['node_load1', 'node_load5', 'node_load15'].forEach((name, index) => {
    const value = numberOrReport(fields[index], `loadavg ${name}`, problems);
    if (value !== undefined) samples.push(sample(name, value));
  });
  return samples;
}
