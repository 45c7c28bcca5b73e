import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from './problems.js';
import { sample } from './samples.js';

/** The 16 columns of /proc/net/dev after `<interface>:`, unchanged since Linux 2.6. */
const columns = [
  ...['bytes', 'packets', 'errs', 'drop', 'fifo', 'frame', 'compressed', 'multicast'].map((field) => `node_network_receive_${field}_total`),
  ...['bytes', 'packets', 'errs', 'drop', 'fifo', 'colls', 'carrier', 'compressed'].map((field) => `node_network_transmit_${field}_total`),
];

/**
 * /proc/net/dev → node_network_{receive,transmit}_<column>_total{device}, node_exporter's names
 * (it reads the same counters over netlink). The two header lines are recognised by their `|`.
 */
export function parseNetdev(text: string, problems: Problems): Sample[] {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.includes('|')) continue;
    const colon = line.lastIndexOf(':');
    const device = line.slice(0, colon).trim();
    if (colon < 0 || device === '') {
      problems.report(`net/dev: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const values = line.slice(colon + 1).trim().split(/\s+/).filter((value) => value !== '');
    if (values.length < columns.length) {
      problems.report(`net/dev ${device}: expected ${columns.length} numbers, got ${values.length}`);
      continue;
    }
    if (seen.has(device)) {
      problems.report(`net/dev ${device}: duplicate device`);
      continue;
    }
    seen.add(device);
    let bad: string | undefined;
    columns.forEach((name, index) => {
      const valueText = values[index] ?? '';
      const value = /^\d{1,20}$/.test(valueText) ? Number(valueText) : undefined;
      if (value === undefined) bad ??= `net/dev ${device} ${name}: expected an integer, got ${JSON.stringify(valueText.slice(0, 40))}`;
      else samples.push(sample(name, value, { device }));
    });
    if (bad) problems.report(bad);
  }
  return samples;
}
