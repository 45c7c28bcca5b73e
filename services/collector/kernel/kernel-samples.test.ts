import { describe, expect, it } from 'vitest';
import { problemList } from '../core/problems.js';
import { readFixture, seriesOf } from '../testing/fixtures.js';
import { kernelEventsOf } from './kernel-events.js';
import { bootTimeMs, eventSamples, kernelEventSamples, monotonicToEpochMs, zeroEventCounts } from './kernel-samples.js';
import { parseDmesg } from './parse-dmesg.js';

describe('kernel event samples', () => {
  it('publishes the recorded OOM kill as kernel_oom_kill = anon RSS bytes, with its details and time', () => {
    const [event] = kernelEventsOf(parseDmesg(readFixture('kernel', 'captured', 'oom', 'dmesg.txt')), problemList());
    const labels = 'comm="python3",constraint="CONSTRAINT_MEMCG",memcg="/vigil-oom",pid="1039",task_memcg="/vigil-oom"';
    const bootTime = Date.UTC(2026, 10, 24, 5, 0, 0);
    expect(seriesOf(eventSamples(event!, monotonicToEpochMs(event!.monotonicUsec!, bootTime)))).toEqual(new Map([
      [`kernel_oom_kill{${labels}}`, 66715648],
      [`kernel_oom_kill_total_vm_bytes{${labels}}`, 76088 * 1024],
      [`kernel_oom_kill_file_rss_bytes{${labels}}`, 2124 * 1024],
      [`kernel_oom_kill_shmem_rss_bytes{${labels}}`, 0],
      [`kernel_oom_kill_page_tables_bytes{${labels}}`, 192 * 1024],
      [`kernel_oom_kill_oom_score_adj{${labels}}`, 0],
      [`kernel_oom_kill_memcg_usage_bytes{${labels}}`, 65536 * 1024],
      [`kernel_oom_kill_memcg_limit_bytes{${labels}}`, 65536 * 1024],
      [`kernel_oom_kill_timestamp_seconds{${labels}}`, (bootTime + 7495758) / 1000],
    ]));
  });

  it.each([
    [{ kind: 'hung_task', pid: 5612, comm: 'udevd', blockedSeconds: 143, inIoWait: true }, 'kernel_hung_task{comm="udevd",pid="5612"}', 143],
    [{ kind: 'soft_lockup', cpu: 1, stuckSeconds: 134, pid: 4569, comm: 'syz-executor0' }, 'kernel_soft_lockup{comm="syz-executor0",cpu="1",pid="4569"}', 134],
    [{ kind: 'hard_lockup', cpu: 3 }, 'kernel_hard_lockup{cpu="3"}', 1],
    [{ kind: 'rcu_stall', flavor: 'rcu_sched', selfDetected: true, cpu: 4 }, 'kernel_rcu_stall{cpu="4",flavor="rcu_sched"}', 1],
    [{ kind: 'rcu_stall', flavor: 'rcu_preempt', selfDetected: false }, 'kernel_rcu_stall{flavor="rcu_preempt"}', 1],
  ] as const)('%j → %s', (event, series, value) => {
    expect(seriesOf(eventSamples(event))).toEqual(new Map([[series, value]]));
  });

  it('counts every kind every cycle and keeps one sample per series', () => {
    const events = kernelEventsOf(parseDmesg(readFixture('kmsg', 'syzkaller', 'report', '349')), problemList());
    const counts = zeroEventCounts();
    for (const event of events) counts[event.kind]++;
    const series = seriesOf(kernelEventSamples(events, counts));
    expect([...series.keys()].filter((key) => key.startsWith('kernel_hung_task{'))).toHaveLength(4);
    expect(series.get('kernel_events_total{kind="hung_task"}')).toBe(8);
    expect(series.get('kernel_events_total{kind="oom_kill"}')).toBe(0);
    expect([...series.keys()].filter((key) => key.startsWith('kernel_events_total'))).toHaveLength(5);
  });

  it('converts monotonic time with the boot time from proc/uptime', () => {
    const problems = problemList();
    expect(bootTimeMs('5794.11 8542.14\n', 1_800_000_000_000, problems)).toBe(1_800_000_000_000 - 5_794_110);
    expect(monotonicToEpochMs(6_078_308_347, 1_000_000)).toBe(1_000_000 + 6_078_308);
    expect(bootTimeMs('', 1, problems)).toBeUndefined();
    expect(bootTimeMs('x y', 1, problems)).toBeUndefined();
    expect(problems.list).toHaveLength(2);
  });
});
