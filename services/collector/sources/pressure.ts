import type { Sample } from '../../../src/codec/records.generated.js';
import { parsePressure, pressureResources } from '../core/parse-pressure.js';
import type { Source } from '../source.js';

/** proc/pressure/{cpu,memory,io,irq}; absent on a kernel without PSI (or booted with psi=0). */
export const pressureSource: Source = {
  name: 'proc.pressure',
  async collect({ files, problems }) {
    const samples: Sample[] = [];
    let present = false;
    for (const resource of pressureResources) {
      const text = files.readTextSync(`proc/pressure/${resource}`, problems);
      if (text === undefined) continue;
      present = true;
      samples.push(...parsePressure(resource, text, problems));
    }
    return present ? [{ source: 'proc.pressure', samples }] : [];
  },
};
