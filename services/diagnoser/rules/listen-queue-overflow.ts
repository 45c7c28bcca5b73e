import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, suggestion } from '../core/format.js';
import { counterRate, increase } from './scene-reading.js';

/** Overflows at least this many over the scene and this rate: connections are being refused now. */
export const MIN_OVERFLOWS = 10;
export const MIN_OVERFLOWS_PER_SECOND = 1;
/** somaxconn below this caps every listen() backlog small (the default is 4096 since Linux 5.4, 128 before). */
export const SMALL_SOMAXCONN = 1024;
export const SMALL_SYN_BACKLOG = 1024;

/**
 * Listen-queue overflow: TcpExt ListenOverflows / ListenDrops rising. With a small net.core.somaxconn
 * (or tcp_max_syn_backlog) the setting is the cause; with large ones the application accepts too slowly.
 */
export function listenQueueOverflow(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const overflowsSeries = scene.one('node_netstat_TcpExt_ListenOverflows');
  const dropsSeries = scene.one('node_netstat_TcpExt_ListenDrops');
  const overflows = increase(overflowsSeries) ?? 0;
  const drops = increase(dropsSeries) ?? 0;
  const rate = Math.max(counterRate(overflowsSeries) ?? 0, counterRate(dropsSeries) ?? 0);
  if (Math.max(overflows, drops) < MIN_OVERFLOWS || rate < MIN_OVERFLOWS_PER_SECOND) return undefined;

  const somaxconn = scene.sysctl('net.core.somaxconn');
  const synBacklog = scene.sysctl('net.ipv4.tcp_max_syn_backlog');
  const smallSomaxconn = somaxconn !== undefined && somaxconn < SMALL_SOMAXCONN;
  const smallSynBacklog = synBacklog !== undefined && synBacklog < SMALL_SYN_BACKLOG;
  const newSomaxconn = Math.max(4096, (somaxconn ?? 0) * 2);
  const newSynBacklog = Math.max(8192, (synBacklog ?? 0) * 2);

  const facts = [
    fact('listen queue overflows', overflows, 'connections', `${(counterRate(overflowsSeries) ?? 0).toFixed(1)}/s, node_netstat_TcpExt_ListenOverflows`),
    fact('listen drops', drops, 'connections', 'node_netstat_TcpExt_ListenDrops'),
  ];
  if (somaxconn !== undefined) facts.push(fact('net.core.somaxconn', somaxconn, 'connections', 'caps the accept queue of every listener'));
  if (synBacklog !== undefined) facts.push(fact('net.ipv4.tcp_max_syn_backlog', synBacklog, 'connections', 'caps half-open connections per listener'));

  const suggestions = [suggestion('find the listener whose accept queue is full: Recv-Q at or above Send-Q (the backlog)', "ss -lnt | awk 'NR == 1 || $2 >= $3'")];
  if (smallSomaxconn) suggestions.push(suggestion(`raise net.core.somaxconn from ${somaxconn} to ${newSomaxconn}; the application's listen() backlog must be raised too (e.g. nginx listen … backlog=${newSomaxconn})`, `sysctl -w net.core.somaxconn=${newSomaxconn}`, `net.core.somaxconn=${newSomaxconn}`));
  if (smallSynBacklog) suggestions.push(suggestion(`raise net.ipv4.tcp_max_syn_backlog from ${synBacklog} to ${newSynBacklog}`, `sysctl -w net.ipv4.tcp_max_syn_backlog=${newSynBacklog}`, `net.ipv4.tcp_max_syn_backlog=${newSynBacklog}`));
  if (!smallSomaxconn && !smallSynBacklog) suggestions.push(suggestion('the kernel limits are not small: the application accepts connections too slowly (blocked accept loop, too few workers) or passes a small backlog to listen()'));
  if (smallSomaxconn || smallSynBacklog) suggestions.push(suggestion('persist the new values', `echo 'net.core.somaxconn = ${newSomaxconn}' > /etc/sysctl.d/90-listen-backlog.conf && sysctl --system`));

  const setting = smallSomaxconn ? `net.core.somaxconn = ${somaxconn}` : smallSynBacklog ? `net.ipv4.tcp_max_syn_backlog = ${synBacklog}` : undefined;
  return {
    cause: 'LISTEN_QUEUE_OVERFLOW',
    summary: `listen queues overflowed ${Math.max(overflows, drops)} times (${rate.toFixed(1)}/s)${setting ? ` with ${setting} capping the backlog` : ': the application accepts connections too slowly'}`,
    confidence: clamp(0.6 + (setting ? 0.25 : 0) + Math.min(0.1, rate / 100), 0, 0.95),
    severity: rate >= 10 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions,
  };
}
