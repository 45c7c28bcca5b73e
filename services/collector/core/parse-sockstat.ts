import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from './problems.js';
import { sample } from './samples.js';

const namePart = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * /proc/net/sockstat or sockstat6 (`TCP: inuse 4 orphan 0 tw 4 alloc 17 mem 1`) →
 * node_sockstat_<PROTO>_<key> (node_sockstat_TCP_tw, node_sockstat_sockets_used), node_exporter's
 * names. `mem` is in pages: it is also exported as node_sockstat_<PROTO>_mem_bytes (× pageSizeBytes),
 * as node_exporter does. FRAG's `memory` is already bytes and keeps its name.
 */
export function parseSockstat(text: string, problems: Problems, pageSizeBytes: number, file = 'net/sockstat'): Sample[] {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const protocol = line.slice(0, colon);
    const tokens = line.slice(colon + 1).trim().split(/\s+/).filter((token) => token !== '');
    if (colon <= 0 || !namePart.test(protocol) || tokens.length === 0 || tokens.length % 2 !== 0) {
      problems.report(`${file}: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    for (let index = 0; index < tokens.length; index += 2) {
      const key = tokens[index] ?? '';
      const valueText = tokens[index + 1] ?? '';
      const metric = `node_sockstat_${protocol}_${key}`;
      if (!namePart.test(key) || !/^\d{1,20}$/.test(valueText)) {
        problems.report(`${file} ${protocol}: unreadable pair ${JSON.stringify(`${key} ${valueText}`.slice(0, 60))}`);
        continue;
      }
      if (seen.has(metric)) {
        problems.report(`${file} ${protocol}: duplicate ${key}`);
        continue;
      }
      seen.add(metric);
      const value = Number(valueText);
      samples.push(sample(metric, value));
      if (key === 'mem') samples.push(sample(`${metric}_bytes`, value * pageSizeBytes));
    }
  }
  return samples;
}
