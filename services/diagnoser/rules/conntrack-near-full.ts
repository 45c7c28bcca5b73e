import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import { percent } from './scene-reading.js';
import { ratePerSecond } from '../core/scene-view.js';

/** The conntrack table at least this full: new flows are about to be dropped ("nf_conntrack: table full"). */
export const NEAR_FULL_RATIO = 0.85;
/** Roughly what one conntrack entry costs in kernel memory. */
const BYTES_PER_ENTRY = 320;

/** The netfilter connection-tracking table near its limit; suggests nf_conntrack_max with the memory it costs. */
export function conntrackNearFull(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const entriesSeries = scene.one('node_nf_conntrack_entries');
  const entries = scene.latest('node_nf_conntrack_entries');
  const limit = scene.latest('node_nf_conntrack_entries_limit') ?? scene.sysctl('net.netfilter.nf_conntrack_max');
  if (entries === undefined || limit === undefined || limit <= 0) return undefined;
  const ratio = entries / limit;
  if (ratio < NEAR_FULL_RATIO) return undefined;

  const growth = ratePerSecond(entriesSeries);
  const newLimit = 2 ** Math.ceil(Math.log2(Math.max(limit * 2, entries * 2)));
  const facts = [
    fact('conntrack table use', ratio, 'ratio', `${entries} of ${limit} entries`),
    fact('conntrack entries', entries, 'entries', 'node_nf_conntrack_entries'),
    fact('net.netfilter.nf_conntrack_max', limit, 'entries', 'node_nf_conntrack_entries_limit'),
  ];
  if (growth !== undefined && growth > 0) facts.push(fact('conntrack growth', growth, 'entries/s', `full in ${Math.max(0, (limit - entries) / growth).toFixed(0)} s`));

  return {
    cause: 'CONNTRACK_NEAR_FULL',
    summary: `the conntrack table is ${percent(ratio)} full (${entries} of net.netfilter.nf_conntrack_max = ${limit}): new connections will be dropped`,
    confidence: clamp(0.65 + 2 * (ratio - NEAR_FULL_RATIO), 0, 0.95),
    severity: ratio >= 0.95 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion(
        `raise net.netfilter.nf_conntrack_max from ${limit} to ${newLimit} (about ${formatBytes(newLimit * BYTES_PER_ENTRY)} of kernel memory when full), and the hash table to a quarter of it`,
        `sysctl -w net.netfilter.nf_conntrack_max=${newLimit} && echo ${newLimit / 4} > /sys/module/nf_conntrack/parameters/hashsize`,
        `net.netfilter.nf_conntrack_max=${newLimit}`,
      ),
      suggestion('see who holds the entries: the top sources, and how many are short-lived (TIME_WAIT) flows', "conntrack -L -o extended 2>/dev/null | awk '{print $4, $7}' | sort | uniq -c | sort -n | tail -20"),
      suggestion('check for drops already happening', "conntrack -S | grep -o 'drop=[0-9]*\\|insert_failed=[0-9]*'; dmesg | grep -i 'table full'"),
    ],
  };
}
