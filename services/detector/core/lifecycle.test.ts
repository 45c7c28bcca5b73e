import { expect, test } from 'vitest';
import type { Anomaly, Severity } from '../../../src/codec/records.generated.js';
import { defaultLifecycleRule } from './expert-rules.js';
import type { Verdict } from './judge.js';
import { advance, newLifecycle, type SeriesIdentity } from './lifecycle.js';

const identity: SeriesIdentity = { entity: { cluster: 'prod-eu', node: 'worker-1', namespace: null, pod: null, container: null }, metric: 'node_load1', series: 'node_load1{}', labels: {} };

/** A: anomalous (score 2); a: anomalous and CRITICAL (score 4); h: normal but not quiet (0.9); q: quiet (0.1). */
function verdict(code: string): Verdict {
  const severity: Severity = code === 'a' ? 'CRITICAL' : code === 'A' ? 'WARNING' : 'INFO';
  const score = { A: 2, a: 4, h: 0.9, q: 0.1 }[code]!;
  return { anomalous: code === 'A' || code === 'a', held: false, quiet: code === 'q', kind: 'SPIKE', severity, score, expectedLow: 0, expectedHigh: 1, models: code === 'q' || code === 'h' ? [] : ['robust-zscore'] };
}

function play(codes: string, rule = defaultLifecycleRule): (Anomaly & { point: number })[] {
  const state = newLifecycle();
  const out: (Anomaly & { point: number })[] = [];
  [...codes].forEach((code, point) => {
    const record = advance(state, verdict(code), { value: point, timestampMs: point * 1000 }, identity, rule);
    if (record) out.push({ ...record, point });
  });
  return out;
}

const steps = (records: (Anomaly & { point: number })[]) => records.map((r) => `${r.state}@${r.point}`);

test.each([
  ['one anomalous point never opens', 'qqqqAqqqqq', []],
  ['two of five do not open', 'qqAqAqqqqq', []],
  ['three of five open at the third, dated at the first', 'qqAqAAqqqq', ['OPEN@5', 'RESOLVED@8']],
  ['three in a row', 'qqAAAqqq', ['OPEN@4', 'RESOLVED@7']],
  ['anomalous points spread wider than five never open', 'AqqqAqqqAqqqA', []],
])('%s', (_what, codes, expected) => {
  expect(steps(play(codes))).toEqual(expected);
});

test('openedAtMs is the first anomalous point of the k; the id is the series, the node and that time', () => {
  const [open] = play('qqAqAAq');
  expect(open).toMatchObject({ state: 'OPEN', openedAtMs: 2000, observedAtMs: 5000 });
});

test('hysteresis: points that are normal but above the lower bar keep it open; only m quiet points in a row resolve', () => {
  expect(steps(play('AAA' + 'hqhqqhqhh' + 'qqq'))).toEqual(['OPEN@2', 'RESOLVED@14']);
});

test('k and n, m come from the rule', () => {
  expect(steps(play('AqqqqqAqqqqq', { ...defaultLifecycleRule, openAfter: 1, openWindow: 1, resolveAfter: 5 }))).toEqual(['OPEN@0', 'RESOLVED@5', 'OPEN@6', 'RESOLVED@11']);
});

test('severity: an UPDATE at once when it rises, and after resolveAfter points when it falls', () => {
  const records = play('AAA' + 'a' + 'aa' + 'AA' + 'A' + 'qqq');
  expect(records.map((r) => `${r.state}:${r.severity}@${r.point}`)).toEqual(['OPEN:WARNING@2', 'UPDATE:CRITICAL@3', 'UPDATE:WARNING@8', 'RESOLVED:WARNING@11']);
});
