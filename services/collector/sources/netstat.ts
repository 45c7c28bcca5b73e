import type { Sample } from '../../../src/codec/records.generated.js';
import { parseNetstat } from '../core/parse-netstat.js';
import { parseSnmp6 } from '../core/parse-snmp6.js';
import type { Source } from '../source.js';

/** proc.netstat: proc/net/netstat and proc/net/snmp, plus proc/net/snmp6 where IPv6 is on; absent when none can be read. */
export const netstatSource: Source = {
  name: 'proc.netstat',
  async collect({ files, problems }) {
    const [netstat, snmp, snmp6] = ['proc/net/netstat', 'proc/net/snmp', 'proc/net/snmp6'].map((path) => files.readTextSync(path, problems));
    const samples: Sample[] = [];
    if (netstat !== undefined) samples.push(...parseNetstat(netstat, problems, 'net/netstat'));
    if (snmp !== undefined) samples.push(...parseNetstat(snmp, problems, 'net/snmp'));
    if (snmp6 !== undefined) samples.push(...parseSnmp6(snmp6, problems));
    return netstat === undefined && snmp === undefined && snmp6 === undefined ? [] : [{ source: 'proc.netstat', samples }];
  },
};
