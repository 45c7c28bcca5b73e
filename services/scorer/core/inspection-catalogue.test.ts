import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, test } from 'vitest';
import { VigilError } from '../../../src/errors.js';
import { defaultInspectionCatalogue, loadInspectionCatalogue, parseInspectionCatalogue } from './inspection-catalogue.js';

const points = 'points:\n  anomaly: { INFO: 2, WARNING: 15, CRITICAL: 45 }\n  report: { INFO: 2, WARNING: 15, CRITICAL: 45 }\n';
const items = (body: string) => `${points}items:\n${body}`;
const twoItems = (second: string) => items(`  - { name: memory, level: POD, weight: 1, description: memory, metrics: [cgroup_memory_*] }\n${second}`);

describe('the shipped catalogue', () => {
  const catalogue = defaultInspectionCatalogue();
  const report = (code: string, scenario: 'MEMORY' | 'OOM' | 'NETWORK' | 'OTHER') => ({ rootCause: { code, summary: '' }, scenario });

  it.each([
    ['POD', 'cgroup_memory_working_set_bytes', 'memory'],
    ['POD', 'cgroup_memory_events_oom_kill_total', 'oom-kills'],
    ['POD', 'kube_pod_container_status_restarts_total', 'restarts'],
    ['POD', 'cgroup_cpu_throttled_periods_total', 'cpu'],
    ['NODE', 'kernel_oom_kill', 'oom-kills'],
    ['NODE', 'kernel_hung_task', 'kernel-events'],
    ['NODE', 'kube_node_status_condition', 'node-conditions'],
    ['NODE', 'node_memory_MemAvailable_bytes', 'memory'],
    ['NODE', 'node_disk_io_time_seconds_total', 'io'],
    ['NODE', 'node_filesystem_avail_bytes', 'disk'],
    ['NODE', 'node_netstat_Tcp_RetransSegs', 'network'],
    ['NODE', 'something_new_total', 'other'],
    ['CLUSTER', 'apiserver_request_total', 'control-plane'],
  ] as const)('an anomaly of %s on %s counts under %s', (level, metric, name) => {
    expect(catalogue.itemForAnomaly(level, { metric, kind: 'SPIKE' }).name).toBe(name);
  });

  it.each([
    ['POD', 'OOM_LIMIT_TOO_LOW', 'OOM', 'oom-kills'],
    ['POD', 'CRASHLOOP_AFTER_OOMKILLED', 'OOM', 'oom-kills'],
    ['NODE', 'TCP_RETRANSMIT_DROPS', 'NETWORK', 'network'],
    ['NODE', 'SOMETHING_NEW', 'MEMORY', 'memory'],
    ['NODE', 'SOMETHING_NEW', 'OTHER', 'other'],
  ] as const)('a report on a %s with cause %s (%s) counts under %s', (level, code, scenario, name) => {
    expect(catalogue.itemForReport(level, report(code, scenario)).name).toBe(name);
  });

  it('weights OOM kills above an ordinary item', () => {
    expect(catalogue.itemForAnomaly('NODE', { metric: 'kernel_oom_kill', kind: 'EVENT' }).weight).toBeGreaterThan(1);
  });
});

describe('a catalogue without a catch-all', () => {
  it('charges what nothing matches as "other" with weight 1', () => {
    const catalogue = parseInspectionCatalogue(twoItems(''));
    expect(catalogue.itemForAnomaly('NODE', { metric: 'node_load1', kind: 'SPIKE' })).toMatchObject({ name: 'other', level: 'NODE', weight: 1 });
  });

  it('narrows an item by anomaly kind', () => {
    const catalogue = parseInspectionCatalogue(twoItems('  - { name: leaks, level: POD, weight: 2, description: leaks, metrics: [process_rss_bytes], kinds: [TREND] }'));
    expect(catalogue.itemForAnomaly('POD', { metric: 'process_rss_bytes', kind: 'TREND' }).name).toBe('leaks');
    expect(catalogue.itemForAnomaly('POD', { metric: 'process_rss_bytes', kind: 'SPIKE' }).name).toBe('other');
  });
});

describe('errors name the file, the item (index, name, level) and the field', () => {
  test.each([
    ['a bad weight', twoItems('  - { name: cpu, level: NODE, weight: heavy, description: cpu, metrics: [node_cpu_*] }'), /^inspection\.yaml: items\[1\] "cpu" \(NODE\): weight: expected a number$/],
    ['a weight out of range', twoItems('  - { name: cpu, level: NODE, weight: 11, description: cpu, metrics: [node_cpu_*] }'), /items\[1\] "cpu" \(NODE\): weight: .*10/],
    ['a bad level', twoItems('  - { name: cpu, level: HOST, weight: 1, description: cpu, metrics: [node_cpu_*] }'), /items\[1\] "cpu" \(HOST\): level: expected one of CLUSTER, NODE, POD/],
    ['a missing level', twoItems('  - { name: cpu, weight: 1, description: cpu, metrics: [node_cpu_*] }'), /items\[1\] "cpu": level: required/],
    ['an unknown key', twoItems('  - { name: cpu, level: NODE, weight: 1, description: cpu, metric: [node_cpu_*] }'), /items\[1\] "cpu" \(NODE\): unknown key "metric"/],
    ['nothing feeds it', twoItems('  - { name: cpu, level: NODE, weight: 1, description: cpu }'), /items\[1\] "cpu" \(NODE\): expected at least one of metrics, causes, scenarios/],
    ['a bad scenario', twoItems('  - { name: cpu, level: NODE, weight: 1, description: cpu, scenarios: [CPU] }'), /items\[1\] "cpu" \(NODE\): scenarios\[0\]: expected one of MEMORY, OOM/],
    ['a bad kind', twoItems('  - { name: cpu, level: NODE, weight: 1, description: cpu, metrics: [x], kinds: [JUMP] }'), /items\[1\] "cpu" \(NODE\): kinds\[0\]: expected one of SPIKE/],
    ['a bad pattern', twoItems('  - { name: cpu, level: NODE, weight: 1, description: cpu, metrics: ["node cpu"] }'), /items\[1\] "cpu" \(NODE\): metrics\[0\]: expected a name or a glob/],
    ['a bad name', twoItems('  - { name: CPU, level: NODE, weight: 1, description: cpu, metrics: [x] }'), /items\[1\] "CPU" \(NODE\): name: expected a lower-case name/],
    ['a duplicate name at one level', twoItems('  - { name: memory, level: POD, weight: 1, description: again, metrics: [x] }'), /items\[1\] "memory" \(POD\): name: already used at level POD by items\[0\]/],
    ['missing points', 'items:\n  - { name: a, level: POD, weight: 1, description: a, metrics: [x] }', /^inspection\.yaml: points: required$/],
    ['a bad severity in points', items('  - { name: a, level: POD, weight: 1, description: a, metrics: [x] }').replace('CRITICAL: 45 }\n  report', 'FATAL: 45 }\n  report'), /inspection\.yaml: points\.anomaly: unknown key "FATAL"/],
    ['no items', `${points}items: []`, /inspection\.yaml: items: /],
    ['bad YAML', `${points}items:\n  - name: a\n   level: POD`, /inspection\.yaml: not valid YAML/],
  ])('%s', (_what, text, message) => {
    let error: unknown;
    try {
      parseInspectionCatalogue(text, 'inspection.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_CONFIG');
    expect((error as VigilError).message).toMatch(message);
  });

  it('loads a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-inspection-'));
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(good, twoItems(''));
    writeFileSync(bad, twoItems('  - { name: cpu, level: NODE, weight: -1, description: cpu, metrics: [x] }'));
    expect(loadInspectionCatalogue(good).items.map((item) => item.name)).toEqual(['memory']);
    expect(() => loadInspectionCatalogue(bad)).toThrow(`${bad}: items[1] "cpu" (NODE): weight:`);
    expect(() => loadInspectionCatalogue(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read the inspection catalogue/);
  });
});
