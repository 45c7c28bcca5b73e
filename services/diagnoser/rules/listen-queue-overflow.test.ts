import { describe, expect, it } from 'vitest';
import { listenQueueOverflow } from './listen-queue-overflow.js';
import { at, evidenceOf, healthyScene, T0 } from './testdata/field-scenes.js';

function overflowScene(somaxconn = 128) {
  return [
    at(T0, 'node_netstat_TcpExt_ListenOverflows', 12), at(T0 + 10_000, 'node_netstat_TcpExt_ListenOverflows', 412),
    at(T0, 'node_netstat_TcpExt_ListenDrops', 12), at(T0 + 10_000, 'node_netstat_TcpExt_ListenDrops', 412),
    at(T0 + 10_000, 'node_sysctl_net_core_somaxconn', somaxconn), at(T0 + 10_000, 'node_sysctl_net_ipv4_tcp_max_syn_backlog', 2048),
  ];
}

describe('listenQueueOverflow', () => {
  it('blames a small somaxconn and suggests 4096', () => {
    const finding = listenQueueOverflow(evidenceOf(overflowScene(), 'NETWORK'))!;
    expect(finding.cause).toBe('LISTEN_QUEUE_OVERFLOW');
    expect(finding.summary).toBe('listen queues overflowed 400 times (40.0/s) with net.core.somaxconn = 128 capping the backlog');
    expect(finding.suggestions[1]!.command).toBe('sysctl -w net.core.somaxconn=4096');
  });

  it('blames the application when the limits are large, and is quiet on a healthy node', () => {
    expect(listenQueueOverflow(evidenceOf(overflowScene(4096)))!.summary).toBe('listen queues overflowed 400 times (40.0/s): the application accepts connections too slowly');
    expect(listenQueueOverflow(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
