import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from './problems.js';
import { sample } from './samples.js';

const namePart = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * /proc/net/netstat or /proc/net/snmp: pairs of lines, `Tcp: ActiveOpens ... RetransSegs ...` then
 * `Tcp: 3556 ... 227 ...` → node_netstat_<Proto>_<Field> (node_netstat_Tcp_RetransSegs,
 * node_netstat_TcpExt_ListenOverflows), node_exporter's names. node_exporter keeps a subset by
 * default; we keep every field. A pair whose lines do not match field for field is skipped whole:
 * with a field missing, no value can be trusted to belong to its name.
 */
export function parseNetstat(text: string, problems: Problems, file = 'net/netstat'): Sample[] {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  let header: { protocol: string; names: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const protocol = line.slice(0, colon);
    const tokens = line.slice(colon + 1).trim().split(/\s+/).filter((token) => token !== '');
    if (colon <= 0 || !namePart.test(protocol)) {
      problems.report(`${file}: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      header = undefined;
      continue;
    }
    if (header?.protocol !== protocol) {
      if (header) problems.report(`${file} ${header.protocol}: no line of values`);
      header = { protocol, names: tokens };
      continue;
    }
    const { names } = header;
    header = undefined;
    if (names.length !== tokens.length) {
      problems.report(`${file} ${protocol}: ${names.length} names but ${tokens.length} values`);
      continue;
    }
    const badName = names.find((name) => !namePart.test(name));
    const badValue = tokens.find((value) => !/^-?\d{1,20}$/.test(value));
    if (badName !== undefined || badValue !== undefined) {
      const what = badName !== undefined ? `field name ${JSON.stringify(badName.slice(0, 40))}` : `value ${JSON.stringify(badValue?.slice(0, 40))}`;
      problems.report(`${file} ${protocol}: unreadable ${what}`);
    }
    names.forEach((name, index) => {
      const value = tokens[index] ?? '';
      const metric = `node_netstat_${protocol}_${name}`;
      if (!namePart.test(name) || !/^-?\d{1,20}$/.test(value)) return;
      if (seen.has(metric)) {
        problems.report(`${file} ${protocol}: duplicate ${name}`);
        return;
      }
      seen.add(metric);
      samples.push(sample(metric, Number(value)));
    });
  }
  if (header) problems.report(`${file} ${header.protocol}: no line of values`);
  return samples;
}
