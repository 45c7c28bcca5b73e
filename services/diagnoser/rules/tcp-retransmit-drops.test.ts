import { describe, expect, it } from 'vitest';
import { tcpRetransmitDrops } from './tcp-retransmit-drops.js';
import { at, evidenceOf, healthyScene, T0 } from './testdata/field-scenes.js';

/** 10 s: 50,000 segments out, 2,500 retransmitted (5 %), eth0 dropping 300 received packets/s, backlog 1000. */
function retransScene(drops = 3_000) {
  return [
    at(T0, 'node_netstat_Tcp_OutSegs', 9_000_000), at(T0 + 10_000, 'node_netstat_Tcp_OutSegs', 9_050_000),
    at(T0, 'node_netstat_Tcp_RetransSegs', 40_000), at(T0 + 10_000, 'node_netstat_Tcp_RetransSegs', 42_500),
    at(T0, 'node_network_receive_drop_total', 1_000, { device: 'eth0' }), at(T0 + 10_000, 'node_network_receive_drop_total', 1_000 + drops, { device: 'eth0' }),
    at(T0 + 10_000, 'node_sysctl_net_core_netdev_max_backlog', 1000),
  ];
}

describe('tcpRetransmitDrops', () => {
  it('ties the retransmit surge to the interface dropping packets', () => {
    const finding = tcpRetransmitDrops(evidenceOf(retransScene(), 'NETWORK'))!;
    expect(finding.cause).toBe('TCP_RETRANSMIT_DROPS');
    expect(finding.summary).toBe('TCP retransmits 5 % of segments (250/s) while eth0 drops 300 received packets/s');
    expect(finding.suggestions.map((s) => s.command)).toContain('sysctl -w net.core.netdev_max_backlog=5000');
  });

  it('says the loss is off the node without local drops, and is quiet on a healthy node', () => {
    const remote = tcpRetransmitDrops(evidenceOf(retransScene(0)))!;
    expect(remote.summary).toBe('TCP retransmits 5 % of segments (250/s) with no interface drops on this node');
    expect(remote.confidence).toBeLessThan(tcpRetransmitDrops(evidenceOf(retransScene()))!.confidence);
    expect(tcpRetransmitDrops(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
