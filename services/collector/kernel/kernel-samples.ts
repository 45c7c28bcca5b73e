import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from '../core/problems.js';
import { sample } from '../core/samples.js';
import { kernelEventKinds, type KernelEvent, type KernelEventKind } from './kernel-events.js';

/** The source (and metrics.raw batch) name of kernel log events. */
export const kernelEventsSource = 'kernel.events';

/** Events counted since the source started, per kind. */
export type KernelEventCounts = Record<KernelEventKind, number>;

export function zeroEventCounts(): KernelEventCounts {
  return Object.fromEntries(kernelEventKinds.map((kind) => [kind, 0])) as KernelEventCounts;
}

/**
 * Epoch milliseconds at which the kernel's monotonic clock read zero: now − uptime, from the first
 * field of proc/uptime (`5794.11 8542.14`). Reports and returns undefined when unreadable.
 */
export function bootTimeMs(uptimeText: string, nowMs: number, problems: Problems): number | undefined {
  const uptimeSeconds = Number(uptimeText.trim().split(/\s+/)[0]);
  if (uptimeText.trim() === '' || !Number.isFinite(uptimeSeconds) || uptimeSeconds < 0) {
    problems.report(`proc/uptime: expected seconds, got ${JSON.stringify(uptimeText.slice(0, 40))}`);
    return undefined;
  }
  return Math.round(nowMs - uptimeSeconds * 1000);
}

/** A kernel log timestamp (monotonic microseconds since boot) as milliseconds since the epoch. */
export function monotonicToEpochMs(monotonicUsec: number, bootTimeMs: number): number {
  return Math.round(bootTimeMs + monotonicUsec / 1000);
}

/** When the event happened, epoch ms, if the record had a timestamp and the boot time is known. */
export function eventTimeMs(event: KernelEvent, bootTime: number | undefined): number | undefined {
  return event.monotonicUsec === undefined || bootTime === undefined ? undefined : monotonicToEpochMs(event.monotonicUsec, bootTime);
}

/**
 * The samples of one event: the event's own series (name and value in the table of the collector
 * README), numeric details of an OOM kill as sibling series with the same labels, and
 * `<name>_timestamp_seconds` (epoch seconds of the kernel's record) when the time is known.
 */
export function eventSamples(event: KernelEvent, timeMs?: number): Sample[] {
  const samples: Sample[] = [];
  let name: string;
  let labels: Record<string, string>;
  switch (event.kind) {
    case 'oom_kill': {
      name = 'kernel_oom_kill';
      labels = { pid: String(event.pid), comm: event.comm };
      if (event.constraint !== undefined) labels.constraint = event.constraint;
      if (event.memcg !== undefined) labels.memcg = event.memcg;
      if (event.taskMemcg !== undefined) labels.task_memcg = event.taskMemcg;
      samples.push(sample(name, event.anonRssBytes ?? 0, labels));
      const details: [string, number | undefined][] = [
        ['kernel_oom_kill_total_vm_bytes', event.totalVmBytes],
        ['kernel_oom_kill_file_rss_bytes', event.fileRssBytes],
        ['kernel_oom_kill_shmem_rss_bytes', event.shmemRssBytes],
        ['kernel_oom_kill_page_tables_bytes', event.pageTablesBytes],
        ['kernel_oom_kill_oom_score_adj', event.oomScoreAdj],
        ['kernel_oom_kill_memcg_usage_bytes', event.memcgUsageBytes],
        ['kernel_oom_kill_memcg_limit_bytes', event.memcgLimitBytes],
      ];
      for (const [detail, value] of details) if (value !== undefined) samples.push(sample(detail, value, labels));
      break;
    }
    case 'hung_task':
      name = 'kernel_hung_task';
      labels = { pid: String(event.pid), comm: event.comm };
      samples.push(sample(name, event.blockedSeconds, labels));
      break;
    case 'soft_lockup':
      name = 'kernel_soft_lockup';
      labels = { cpu: String(event.cpu), pid: String(event.pid), comm: event.comm };
      samples.push(sample(name, event.stuckSeconds, labels));
      break;
    case 'hard_lockup':
      name = 'kernel_hard_lockup';
      labels = { cpu: String(event.cpu) };
      samples.push(sample(name, 1, labels));
      break;
    case 'rcu_stall':
      name = 'kernel_rcu_stall';
      labels = { flavor: event.flavor };
      if (event.cpu !== undefined) labels.cpu = String(event.cpu);
      samples.push(sample(name, 1, labels));
      break;
  }
  if (timeMs !== undefined) samples.push(sample(`${name}_timestamp_seconds`, timeMs / 1000, labels));
  return samples;
}

/** kernel_events_total{kind}, every kind every cycle (zeros included), so the detector sees rates. */
export function eventCountSamples(counts: Readonly<KernelEventCounts>): Sample[] {
  return kernelEventKinds.map((kind) => sample('kernel_events_total', counts[kind], { kind }));
}

/**
 * One cycle's samples: every event's samples, then the counters. Two events with the same series
 * in one batch (a task reported hung twice) keep the later one, so the batch has no duplicate series.
 */
export function kernelEventSamples(events: readonly KernelEvent[], counts: Readonly<KernelEventCounts>, bootTime?: number): Sample[] {
  const bySeries = new Map<string, Sample>();
  for (const event of events) {
    for (const item of eventSamples(event, eventTimeMs(event, bootTime))) {
      const key = `${item.name}\u0000${Object.entries(item.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('\u0000')}`;
      bySeries.delete(key);
      bySeries.set(key, item);
    }
  }
  return [...bySeries.values(), ...eventCountSamples(counts)];
}
