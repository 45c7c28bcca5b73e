import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from './problems.js';
import { sample } from './samples.js';

/**
 * /proc/net/snmp6 (`Ip6InOctets  460`, one counter a line) → node_netstat_<Proto>_<Field>, split after
 * the first `6` as node_exporter does: node_netstat_Ip6_InOctets, node_netstat_Udp6_RcvbufErrors,
 * node_netstat_UdpLite6_InErrors. Every line is kept.
 */
export function parseSnmp6(text: string, problems: Problems): Sample[] {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const [key, valueText, ...rest] = line.trim().split(/\s+/);
    if (!key) continue;
    const six = key.indexOf('6');
    const metric = `node_netstat_${key.slice(0, six + 1)}_${key.slice(six + 1)}`;
    if (six <= 0 || !/^[A-Za-z][A-Za-z0-9]*6[A-Za-z0-9_]+$/.test(key) || valueText === undefined || rest.length > 0) {
      problems.report(`net/snmp6: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    } else if (!/^-?\d{1,20}$/.test(valueText)) {
      problems.report(`net/snmp6 ${key}: expected an integer, got ${JSON.stringify(valueText.slice(0, 40))}`);
    } else if (seen.has(metric)) {
      problems.report(`net/snmp6 ${key}: duplicate counter`);
    } else {
      seen.add(metric);
      samples.push(sample(metric, Number(valueText)));
    }
  }
  return samples;
}
