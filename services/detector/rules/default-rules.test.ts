/**
 * The shipped rule file loads and covers what the collector publishes: the key metrics have the
 * rule an operator expects, and every family the collector's real sources produce on this
 * machine is known to some rule (nothing silently counted as unknown).
 */
import { expect, test } from 'vitest';
import { eventSamples } from '../../collector/kernel/kernel-samples.js';
import { cpuSamples, memorySamples, pidsSamples, pressureSamples } from '../../collector/core/cgroup/samples.js';
import { parseMeminfo } from '../../collector/core/parse-meminfo.js';
import { parseVmstat } from '../../collector/core/parse-vmstat.js';
import { parseStat } from '../../collector/core/parse-stat.js';
import { parsePressure } from '../../collector/core/parse-pressure.js';
import { readFixture } from '../../collector/testing/fixtures.js';
import type { Sample } from '../../../src/codec/records.generated.js';
import { ruleFor } from '../core/expert-rules.js';
import { defaultRuleFile, defaultRules, loadRuleFile } from './rule-file.js';

test('the default file loads, and defaultRules() is it', () => {
  expect(loadRuleFile(defaultRuleFile).map((rule) => rule.name)).toEqual(defaultRules().map((rule) => rule.name));
  expect(defaultRules().length).toBeGreaterThan(30);
});

const pod = { cgroup: '/kubepods.slice/kubepods-burstable.slice/pod1.slice/cri-containerd-1.scope', namespace: 'shop', pod: 'checkout-1', container: 'app' };

test.each([
  // [metric, labels, rule, what the rule does]
  ['node_memory_MemAvailable_bytes', {}, 'memory-available', { statistical: true, scenario: 'MEMORY', threshold: { below: 0.05, ratioTo: 'node_memory_MemTotal_bytes', severity: 'CRITICAL' } }],
  ['node_cpu_seconds_total', { cpu: '0', mode: 'idle' }, 'cpu-idle', { statistical: false }],
  ['node_cpu_seconds_total', { cpu: '0', mode: 'user' }, 'cpu-busy', { statistical: true, neverBelow: 0.5, scenario: 'LOAD' }],
  ['node_pressure_memory_waiting_avg10_ratio', {}, 'pressure-memory', { threshold: { above: 0.2, forMs: 60_000 }, scenario: 'MEMORY' }],
  ['node_vmstat_pgscan_direct', {}, 'vmstat-reclaim', { statistical: true }],
  ['node_vmstat_nr_free_pages', {}, 'vmstat-levels', { statistical: false }],
  ['cgroup_memory_working_set_bytes', pod, 'memory-limit', { statistical: false, scenario: 'MEMORY', threshold: { above: 0.95, ratioTo: 'cgroup_memory_limit_bytes', forMs: 60_000, kind: 'THRESHOLD' } }],
  ['cgroup_cpu_throttled_periods_total', pod, 'cpu-throttling', { scenario: 'CPU_THROTTLE', threshold: { above: 0.5, ratioTo: 'cgroup_cpu_periods_total' } }],
  ['cgroup_pids_current', pod, 'cgroup-pids-limit', { scenario: 'PIDS', threshold: { kind: 'HIGH_WATERMARK' } }],
  ['cgroup_memory_events_oom_kill_total', pod, 'cgroup-oom-kill', { scenario: 'OOM', threshold: { above: 0, severity: 'CRITICAL' } }],
  ['cgroup_memory_stat_anon_bytes', pod, 'cgroup-other', { statistical: false }],
  ['kernel_oom_kill', { pid: '1039', comm: 'python3' }, 'kernel-oom-kill', { statistical: false, scenario: 'OOM', event: { severity: 'CRITICAL', resolveAfterMs: 300_000 } }],
  ['kernel_hard_lockup', { cpu: '3' }, 'kernel-hard-lockup', { event: { severity: 'CRITICAL' } }],
  ['kernel_soft_lockup', { cpu: '3', pid: '7', comm: 'x' }, 'kernel-soft-lockup', { event: { severity: 'CRITICAL' } }],
  ['kernel_hung_task', { pid: '7', comm: 'x' }, 'kernel-hung-task', { event: { severity: 'WARNING' } }],
  ['kernel_oom_kill_timestamp_seconds', { pid: '1039', comm: 'python3' }, 'kernel-event-details', { statistical: false }],
  ['kernel_events_total', { kind: 'oom_kill' }, 'kernel-event-counts', { statistical: false }],
  ['process_rss_bytes', { pid: '1', comm: 'systemd' }, 'process-tables', { statistical: false }],
] as const)('%s %j → %s', (metric, labels, name, expected) => {
  const rule = ruleFor(defaultRules(), metric, labels);
  expect(rule?.name).toBe(name);
  expect(rule).toMatchObject(expected);
});

test('every metric of the collector\'s parsers on real fixtures is known to a rule', () => {
  const problems = { report: () => {} };
  const samples: Sample[] = [
    ...parseMeminfo(readFixture('procfs', 'proc', 'meminfo'), problems),
    ...parseVmstat(readFixture('node_exporter', 'proc', 'vmstat'), problems),
    ...parseStat(readFixture('procfs', 'proc', 'stat'), problems),
    ...parsePressure('memory', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n', problems),
    ...eventSamples({ kind: 'oom_kill', pid: 1039, comm: 'python3', constraint: 'CONSTRAINT_MEMCG', memcg: '/vigil-oom', taskMemcg: '/vigil-oom', anonRssBytes: 65152 * 1024 }, Date.UTC(2026, 10, 24)),
  ];
  memorySamples({ usageBytes: 1, limitBytes: 2, stat: new Map([['anon', 1], ['pgfault', 3]]), events: { oomKill: 0 } }, pod, samples);
  cpuSamples({ usageSeconds: 1, periods: 2, throttledPeriods: 1, throttledSeconds: 0.1, quotaCores: 1 }, pod, samples);
  pidsSamples({ current: 3, limit: 100, maxEvents: 0 }, pod, samples);
  pressureSamples('io', { some: { seconds: 1, avg10Ratio: 0 } }, pod, samples);
  const unknown = samples.filter((sample) => !ruleFor(defaultRules(), sample.name, sample.labels)).map((sample) => sample.name);
  expect(samples.length).toBeGreaterThan(200);
  expect(unknown).toEqual([]);
});
