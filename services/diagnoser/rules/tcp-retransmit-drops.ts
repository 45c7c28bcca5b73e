import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, suggestion } from '../core/format.js';
import { counterRate, percent } from './scene-reading.js';

/** Retransmitted segments at least this share of segments sent… */
export const RETRANSMIT_RATIO = 0.02;
/** …over at least this much traffic, so a handful of retransmits on an idle node is not a surge. */
export const MIN_OUT_SEGMENTS_PER_SECOND = 100;
export const MIN_RETRANSMITS_PER_SECOND = 5;
/** Interface drops at or above this rate count. */
export const MIN_DROPS_PER_SECOND = 1;

interface Drops {
  device: string;
  direction: 'receive' | 'transmit';
  perSecond: number;
}

/**
 * A TCP retransmit surge (Tcp RetransSegs vs OutSegs), with the interfaces dropping packets when
 * the node's own NIC or backlog loses them; without local drops the loss is further along the path.
 */
export function tcpRetransmitDrops(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const retransmits = counterRate(scene.one('node_netstat_Tcp_RetransSegs'));
  const outSegments = counterRate(scene.one('node_netstat_Tcp_OutSegs'));
  if (retransmits === undefined || outSegments === undefined || outSegments < MIN_OUT_SEGMENTS_PER_SECOND) return undefined;
  const ratio = retransmits / outSegments;
  if (ratio < RETRANSMIT_RATIO || retransmits < MIN_RETRANSMITS_PER_SECOND) return undefined;

  const drops: Drops[] = [];
  for (const direction of ['receive', 'transmit'] as const) {
    for (const series of scene.series(`node_network_${direction}_drop_total`)) {
      const perSecond = counterRate(series);
      if (perSecond !== undefined && perSecond >= MIN_DROPS_PER_SECOND && series.labels.device !== 'lo') drops.push({ device: series.labels.device ?? '?', direction, perSecond });
    }
  }
  drops.sort((a, b) => b.perSecond - a.perSecond);
  const worst = drops[0];
  const backlog = scene.sysctl('net.core.netdev_max_backlog');
  const timeouts = counterRate(scene.one('node_netstat_TcpExt_TCPTimeouts'));

  const facts = [
    fact('TCP retransmit ratio', ratio, 'ratio', `${retransmits.toFixed(1)} of ${outSegments.toFixed(0)} segments/s retransmitted`),
    fact('TCP retransmits', retransmits, 'segments/s', 'node_netstat_Tcp_RetransSegs'),
  ];
  for (const drop of drops.slice(0, 4)) facts.push(fact(`${drop.direction} drops on ${drop.device}`, drop.perSecond, 'packets/s', `node_network_${drop.direction}_drop_total`));
  if (timeouts !== undefined && timeouts > 0) facts.push(fact('retransmission timeouts', timeouts, 'events/s', 'node_netstat_TcpExt_TCPTimeouts'));
  if (backlog !== undefined) facts.push(fact('net.core.netdev_max_backlog', backlog, 'packets'));

  const suggestions = [];
  if (worst) {
    suggestions.push(suggestion(`see which counter of ${worst.device} drops (ring buffer, missed, fifo)`, `ethtool -S ${worst.device} | grep -iE 'drop|miss|fifo|discard'; ip -s link show ${worst.device}`));
    if (worst.direction === 'receive') {
      suggestions.push(suggestion(`enlarge the receive ring of ${worst.device} to its maximum (see ethtool -g)`, `ethtool -G ${worst.device} rx 4096`));
      if (backlog !== undefined && backlog < 5000) {
        suggestions.push(suggestion(`raise net.core.netdev_max_backlog from ${backlog} to 5000 so bursts queue instead of dropping`, 'sysctl -w net.core.netdev_max_backlog=5000', 'net.core.netdev_max_backlog=5000'));
      }
    }
  } else {
    suggestions.push(suggestion('no interface on this node drops packets: look for loss on the path (peer, switch, overlay network)', 'mtr -rwc 50 <peer>'));
  }
  suggestions.push(suggestion('find the connections that retransmit (retrans counters per socket)', "ss -tin state established | grep -B1 retrans | head -40"));

  return {
    cause: 'TCP_RETRANSMIT_DROPS',
    summary: `TCP retransmits ${percent(ratio)} of segments (${retransmits.toFixed(0)}/s)${worst ? ` while ${worst.device} drops ${worst.perSecond.toFixed(0)} ${worst.direction === 'receive' ? 'received' : 'sent'} packets/s` : ' with no interface drops on this node'}`,
    confidence: clamp(0.45 + 4 * Math.min(0.05, ratio) + (worst ? 0.25 : 0), 0, 0.95),
    severity: ratio >= 0.1 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions,
  };
}
