import { describe, expect, it } from 'vitest';
import type { Anomaly, HealthUpdate } from '../../../src/codec/records.generated.js';
import { alertFromSource, messageFromSource, sourceEmail, sourceLine, supersededAlerts } from './sources.js';
import { alertFingerprint, isFiring } from './routing/alert.js';
import { memoryGrowthReport } from './testdata/report.js';

const t0 = Date.parse('2026-11-25T12:00:00Z');
const entity = { cluster: 'prod', node: 'worker-3', namespace: 'shop', pod: 'cart-<b>x</b>', container: null };
const health = (grade: HealthUpdate['grade']): HealthUpdate => ({ id: `h-${grade}`, entity, level: 'POD', score: grade === 'CRITICAL' ? 20 : 95, grade, items: [], timestampMs: t0, explanation: '' });
const anomaly = (state: Anomaly['state'], severity: Anomaly['severity']): Anomaly => ({
  eventId: `e-${state}`, id: 'a1', entity, metric: 'cgroup_memory_working_set_bytes', series: 's', labels: {}, kind: 'TREND', state, severity, score: 2,
  value: 9, expectedLow: 1, expectedHigh: 2, models: ['trend'], openedAtMs: t0, observedAtMs: t0 + 60_000, resolvedAtMs: state === 'RESOLVED' ? t0 + 60_000 : null,
});

describe('alerts from sources', () => {
  it('a report fires for the configured time and is its own alert', () => {
    const alert = alertFromSource({ type: 'report', record: memoryGrowthReport }, t0, 3_600_000);
    expect(alert.labels).toMatchObject({ kind: 'diagnosis', report_id: memoryGrowthReport.id, severity: 'CRITICAL' });
    expect(alert.resolvedAtMs).toBe(Math.max(t0, memoryGrowthReport.createdAtMs) + 3_600_000);
  });

  it('a health update fires while CRITICAL and resolves the same alert on recovery', () => {
    const fall = alertFromSource({ type: 'health', record: health('CRITICAL') }, t0, 0);
    const recovery = alertFromSource({ type: 'health', record: health('HEALTHY') }, t0, 0);
    expect(fall.labels).toMatchObject({ kind: 'health', level: 'POD', pod: 'cart-<b>x</b>' });
    expect(isFiring(fall, t0 + 1)).toBe(true);
    expect(isFiring(recovery, t0 + 1)).toBe(false);
    expect(alertFingerprint(recovery)).toBe(alertFingerprint(fall));
  });

  it('an anomaly fires from OPEN, resolves on RESOLVED, and an UPDATE at another severity resolves the others', () => {
    const open = alertFromSource({ type: 'anomaly', record: anomaly('OPEN', 'WARNING') }, t0, 0);
    expect(open.labels).toMatchObject({ kind: 'anomaly', anomaly_kind: 'TREND', severity: 'WARNING', anomaly_id: 'a1' });
    expect(supersededAlerts({ type: 'anomaly', record: anomaly('OPEN', 'WARNING') }, open)).toEqual([]);
    const update = { type: 'anomaly' as const, record: anomaly('UPDATE', 'CRITICAL') };
    const worse = alertFromSource(update, t0, 0);
    expect(supersededAlerts(update, worse).map((alert) => [alert.labels.severity, alert.resolvedAtMs])).toEqual([['INFO', t0 + 60_000], ['WARNING', t0 + 60_000]]);
    expect(alertFingerprint(supersededAlerts(update, worse)[1]!)).toBe(alertFingerprint(open));
    expect(alertFromSource({ type: 'anomaly', record: anomaly('RESOLVED', 'CRITICAL') }, t0, 0).resolvedAtMs).toBe(t0 + 60_000);
  });
});

describe('messages from sources', () => {
  it('renders health and anomalies, resolved when asked, with cluster text escaped in the email', () => {
    const fall = messageFromSource({ type: 'health', record: health('CRITICAL') }, { groupKey: 'g', resolved: false });
    expect(fall).toMatchObject({ title: 'CRITICAL health of pod prod/worker-3/shop/cart-<b>x</b>: 20', severity: 'CRITICAL', resolved: false, reportId: 'h-CRITICAL' });
    expect(messageFromSource({ type: 'health', record: health('HEALTHY') }, { groupKey: 'g', resolved: true }).title).toMatch(/^RECOVERED HEALTHY/);
    const source = { type: 'anomaly' as const, record: anomaly('OPEN', 'WARNING') };
    const message = messageFromSource(source, { groupKey: 'g', resolved: false });
    expect(message.title).toBe('WARNING TREND anomaly of cgroup_memory_working_set_bytes on prod/worker-3/shop/cart-<b>x</b>');
    expect(sourceLine(source, message)).toBe(`[WARNING] ${message.title} — ${message.summary}`);
    const odd = messageFromSource({ type: 'anomaly', record: { ...anomaly('OPEN', 'WARNING'), value: Number.NaN, expectedHigh: Number.POSITIVE_INFINITY } }, { groupKey: 'g', resolved: false });
    expect(odd.summary).toBe('s was NaN, expected 1..Infinity (score 2)');
    const email = sourceEmail(source, message);
    expect(email.html).toContain('cart-&lt;b&gt;x&lt;/b&gt;');
    expect(email.html).not.toContain('<b>x');
  });
});
