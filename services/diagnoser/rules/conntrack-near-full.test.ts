import { describe, expect, it } from 'vitest';
import { conntrackNearFull } from './conntrack-near-full.js';
import { at, evidenceOf, healthyScene, T0 } from './testdata/field-scenes.js';

const scene = (entries: number) => [at(T0, 'node_nf_conntrack_entries', entries - 500), at(T0 + 10_000, 'node_nf_conntrack_entries', entries), at(T0 + 10_000, 'node_nf_conntrack_entries_limit', 262_144)];

describe('conntrackNearFull', () => {
  it('suggests doubling nf_conntrack_max with its hash size', () => {
    const finding = conntrackNearFull(evidenceOf(scene(250_000), 'NETWORK'))!;
    expect(finding.cause).toBe('CONNTRACK_NEAR_FULL');
    expect(finding.summary).toBe('the conntrack table is 95 % full (250000 of net.netfilter.nf_conntrack_max = 262144): new connections will be dropped');
    expect(finding.suggestions[0]!.command).toBe('sysctl -w net.netfilter.nf_conntrack_max=524288 && echo 131072 > /sys/module/nf_conntrack/parameters/hashsize');
  });

  it('is quiet at half full and on a healthy node (this machine: 0 of 262144)', () => {
    expect(conntrackNearFull(evidenceOf(scene(131_072)))).toBeUndefined();
    expect(conntrackNearFull(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
