import type { Sample } from '../../../src/codec/records.generated.js';
import { VigilError } from '../../../src/errors.js';
import { numberField, sample } from './samples.js';

/** /proc/loadavg (`0.21 0.37 0.39 1/719 19737`) → node_load1, node_load5, node_load15. */
export function parseLoadavg(text: string): Sample[] {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 3) {
    throw new VigilError('VIGIL_SOURCE', `loadavg: expected 3 load averages, got ${JSON.stringify(text)}`);
  }
  return [
    sample('node_load1', numberField(fields[0], 'loadavg 1m')),
    sample('node_load5', numberField(fields[1], 'loadavg 5m')),
    sample('node_load15', numberField(fields[2], 'loadavg 15m')),
  ];
}
