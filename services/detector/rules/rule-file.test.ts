import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { VigilError } from '../../../src/errors.js';
import { ruleFor, ruleResolver } from '../core/expert-rules.js';
import { compileMatcher, defaultRules, loadRuleFile, parseDuration, parseQuantity, parseRuleFile } from './rule-file.js';

const rules = (body: string) => `rules:\n${body}`;
const fourRules = (fourth: string) =>
  rules(`  - { name: a, metric: node_load1 }
  - { name: b, metric: node_load5 }
  - { name: c, metric: node_load15 }
${fourth}`);

describe('errors name the file, the rule (index and name) and the field', () => {
  test.each([
    ['a bad number', fourRules('  - { name: memory-limit, metric: cgroup_memory_working_set_bytes, threshold: { above: lots } }'), /^rules\.yaml: rules\[3\] "memory-limit": threshold\.above: expected a number, got "lots"$/],
    ['an unknown key', rules('  - { name: memory-limit, metric: cgroup_memory_working_set_bytes, threshold: { abov: 0.95 } }'), /rules\[0\] "memory-limit": threshold: unknown key "abov"/],
    ['an unknown key of the rule', rules('  - { name: cpu, metric: node_cpu_seconds_total, judge: false }'), /rules\[0\] "cpu": unknown key "judge"/],
    ['a wrong type', rules('  - { name: cpu, metric: node_cpu_seconds_total, statistical: "no" }'), /rules\[0\] "cpu": statistical: expected true or false/],
    ['a bad enum', rules('  - { name: cpu, metric: node_cpu_seconds_total, severity: HIGH }'), /rules\[0\] "cpu": severity: expected one of INFO, WARNING, CRITICAL/],
    ['a bad scenario', rules('  - { name: cpu, metric: node_cpu_seconds_total, scenario: CPU }'), /rules\[0\] "cpu": scenario: expected one of MEMORY, OOM, .*PIDS/],
    ['a bad duration', rules('  - { name: psi, metric: x, threshold: { above: 0.2, for: 1 minute } }'), /rules\[0\] "psi": threshold\.for: expected a duration/],
    ['neither above nor below', rules('  - { name: psi, metric: x, threshold: { for: 1m } }'), /rules\[0\] "psi": threshold: expected exactly one of above and below/],
    ['clear on the wrong side', rules('  - { name: psi, metric: x, threshold: { above: 0.2, clear: 0.3 } }'), /rules\[0\] "psi": threshold\.clear: must not be above/],
    ['a bad regex', rules('  - { name: bad, metric: "/node_(/" }'), /rules\[0\] "bad": metric: not a valid pattern/],
    ['a missing metric', rules('  - { name: bad }'), /rules\[0\] "bad": metric: required/],
    ['a rule without a name', rules('  - { metric: x }'), /rules\[0\]: name: required/],
    ['open after > of', rules('  - { name: a, metric: x, open: { after: 6, of: 5 } }'), /rules\[0\] "a": open: after must not exceed of/],
    ['a statistical event', rules('  - { name: oom, metric: kernel_oom_kill, statistical: true, event: { resolveAfter: 5m } }'), /rules\[0\] "oom": statistical: an event is never judged statistically/],
    ['a duplicate name', rules('  - { name: a, metric: x }\n  - { name: a, metric: y }'), /rules\[1\] "a": name: already used by rules\[0\]/],
    ['no rules', 'rules: []', /rules\.yaml: rules: /],
    ['an unknown top-level key', 'rule: []', /rules\.yaml: unknown key "rule"/],
    ['bad YAML', 'rules:\n  - name: a\n   metric: x', /rules\.yaml: not valid YAML: .*line 3/s],
    ['a duplicate YAML key', rules('  - { name: a, metric: x, metric: y }'), /rules\.yaml: not valid YAML: .*unique/s],
  ])('%s', (_what, text, message) => {
    let error: unknown;
    try {
      parseRuleFile(text, 'rules.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_CONFIG');
    expect((error as VigilError).message).toMatch(message);
  });

  test('an unreadable file names the path', () => {
    expect(() => loadRuleFile('/nonexistent/rules.yaml')).toThrow(/\/nonexistent\/rules\.yaml: cannot read the rule file/);
  });
});

test('a rule file from disk: quantities, durations, defaults, label negation and globs', () => {
  const directory = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const path = join(directory, 'rules.yaml');
  writeFileSync(path, `
defaults:
  open: { after: 2, of: 4 }
rules:
  - name: memory-limit
    metric: cgroup_memory_working_set_*
    labels: { namespace: "!kube-system", container: "/^(app|sidecar)$/" }
    statistical: false
    threshold: { above: 95%, ratioTo: cgroup_memory_limit_bytes, for: 1m, severity: CRITICAL }
    scenario: MEMORY
    resolve: { after: 5 }
  - name: memory-available
    metric: node_memory_MemAvailable_bytes
    minimumChange: { absolute: 64Mi }
`);
  const [limit, available] = loadRuleFile(path);
  expect(limit).toMatchObject({
    name: 'memory-limit', statistical: false, scenario: 'MEMORY',
    threshold: { name: 'memory-limit', above: 0.95, ratioTo: 'cgroup_memory_limit_bytes', forMs: 60_000, clear: 0.9025, severity: 'CRITICAL', kind: 'THRESHOLD' },
    lifecycle: { openAfter: 2, openWindow: 4, resolveAfter: 5, resolveLevel: 0.8 },
  });
  expect(available).toMatchObject({ statistical: true, minimumChange: { absolute: 64 * 1024 ** 2 }, lifecycle: { openAfter: 2, openWindow: 4, resolveAfter: 3 } });
  const all = [limit!, available!];
  expect(ruleFor(all, 'cgroup_memory_working_set_bytes', { namespace: 'shop', container: 'app' })?.name).toBe('memory-limit');
  expect(ruleFor(all, 'cgroup_memory_working_set_bytes', { namespace: 'kube-system', container: 'app' })).toBeUndefined();
  expect(ruleFor(all, 'cgroup_memory_working_set_bytes', { namespace: 'shop', container: 'init' })).toBeUndefined();
  // The detector's resolver, cached by metric name, still reads each series' labels where a rule has label matchers.
  const resolve = ruleResolver([...all, ...defaultRules()]);
  expect(resolve('cgroup_memory_working_set_bytes', { namespace: 'shop', container: 'app' })?.name).toBe('memory-limit');
  expect(resolve('cgroup_memory_working_set_bytes', { namespace: 'kube-system', container: 'app' })?.name).toBe(ruleFor(defaultRules(), 'cgroup_memory_working_set_bytes', {})?.name);
  expect(resolve('node_memory_MemAvailable_bytes', {})?.name).toBe('memory-available');
});

test.each([
  [42, 42], ['64Mi', 64 * 1024 ** 2], ['1.5Gi', 1.5 * 1024 ** 3], ['95%', 0.95], ['1e6', 1e6], ['-3', -3], ['lots', undefined], [true, undefined], [Number.NaN, undefined],
])('quantity %s → %s', (input, expected) => {
  expect(parseQuantity(input)).toBe(expected);
});

test.each([
  ['500ms', 500], ['30s', 30_000], ['1m', 60_000], ['1.5h', 5_400_000], [70, 70_000], ['1 minute', undefined], [-1, undefined],
])('duration %s → %s ms', (input, expected) => {
  expect(parseDuration(input)).toBe(expected);
});

test('matchers: exact, glob, regex, negation', () => {
  expect(compileMatcher('node_load1', false).test('node_load15')).toBe(false);
  expect(compileMatcher('node_load?', false).test('node_load5')).toBe(true);
  expect(compileMatcher('node_vmstat_nr_*', false).test('node_vmstat_nr_free_pages')).toBe(true);
  expect(compileMatcher('node.memory*', false).test('nodeXmemory')).toBe(false);
  expect(compileMatcher('/^node_(load1|load5)$/', false).test('node_load5')).toBe(true);
  expect(compileMatcher('!idle', true).test('user')).toBe(true);
  expect(compileMatcher('!idle', true).test('idle')).toBe(false);
  expect(compileMatcher('!idle', false).test('!idle')).toBe(true);
});
