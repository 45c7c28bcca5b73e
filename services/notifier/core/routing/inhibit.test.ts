import { describe, expect, it } from 'vitest';
import type { Alert } from './alert.js';
import { defaultRoutingConfig, routingConfigFrom } from './config.js';
import { inhibitedBy } from './inhibit.js';
import { fingerprint, type Labels } from './matchers.js';

const nowMs = Date.parse('2026-11-25T12:00:00Z');
const firing = (labels: Labels): Alert => ({ labels, startsAtMs: nowMs - 60_000, resolvedAtMs: null });
const resolved = (labels: Labels): Alert => ({ labels, startsAtMs: nowMs - 60_000, resolvedAtMs: nowMs - 1_000 });

const nodeCritical = { cluster: 'prod-eu', node: 'worker-7', severity: 'CRITICAL', scenario: 'MEMORY' };
const podWarning = { cluster: 'prod-eu', node: 'worker-7', namespace: 'shop', pod: 'api-7d9f', severity: 'WARNING', scenario: 'MEMORY' };

describe('the default rule: a node-level critical mutes its pods’ warnings', () => {
  const rules = defaultRoutingConfig({ email: false }).inhibitRules;
  it.each([
    ['a pod warning while its node has a critical', [firing(nodeCritical)], podWarning, true],
    ['a pod warning on another node', [firing(nodeCritical)], { ...podWarning, node: 'worker-8' }, false],
    ['a pod warning in another cluster', [firing(nodeCritical)], { ...podWarning, cluster: 'prod-us' }, false],
    ['a pod warning after the node critical resolved', [resolved(nodeCritical)], podWarning, false],
    ['a pod critical is not muted', [firing(nodeCritical)], { ...podWarning, severity: 'CRITICAL' }, false],
    ['a node warning is not a pod warning', [firing(nodeCritical)], { cluster: 'prod-eu', node: 'worker-7', severity: 'WARNING' }, false],
    ['a pod critical is not a node-level source', [firing({ ...podWarning, pod: 'db-0', severity: 'CRITICAL' })], podWarning, false],
    ['no alerts', [], podWarning, false],
  ])('%s', (_name, alerts, target, muted) => {
    expect(inhibitedBy(rules, alerts, target, nowMs) !== undefined).toBe(muted);
  });

  it('names the rule and the source', () => {
    expect(inhibitedBy(rules, [firing(nodeCritical)], podWarning, nowMs)).toEqual({ ruleIndex: 0, sourceFingerprint: fingerprint(nodeCritical) });
  });
});

describe('general source / target / equal (after Alertmanager inhibit/inhibit_test.go TestInhibitRuleHasEqual, TestInhibitRuleMatches)', () => {
  const rules = routingConfigFrom({
    route: { receiver: 'd' },
    receivers: [{ name: 'd' }],
    inhibit_rules: [
      { source_matchers: ['s1=1'], target_matchers: ['t1=1'], equal: ['e'] },
      { source_matchers: ['s2=1'], target_matchers: ['t2=1'], equal: [] },
      { source_matchers: ['severity=CRITICAL'], target_matchers: ['severity=~"WARNING|CRITICAL"'], equal: ['cluster'] },
    ],
  }).inhibitRules;
  it.each([
    ['equal label values match', [firing({ s1: '1', e: 'a' })], { t1: '1', e: 'a' }, 0],
    ['equal label values differ', [firing({ s1: '1', e: 'a' })], { t1: '1', e: 'b' }, undefined],
    ['equal label missing on both sides counts as equal', [firing({ s1: '1' })], { t1: '1' }, 0],
    ['equal label missing on one side', [firing({ s1: '1', e: 'a' })], { t1: '1' }, undefined],
    ['no equal labels: any source mutes', [firing({ s2: '1', x: 'y' })], { t2: '1' }, 1],
    ['an alert matching both source and target does not mute itself', [firing({ severity: 'CRITICAL', cluster: 'c' })], { severity: 'CRITICAL', cluster: 'c' }, undefined],
    ['but another source and target alert does', [firing({ severity: 'CRITICAL', cluster: 'c', node: 'n1' })], { severity: 'CRITICAL', cluster: 'c', node: 'n2' }, 2],
  ])('%s', (_name, alerts, target, ruleIndex) => {
    expect(inhibitedBy(rules, alerts, target, nowMs)?.ruleIndex).toBe(ruleIndex);
  });
});
