import { describe, expect, it } from 'vitest';
import { memoryGrowthReport as report } from '../testdata/report.js';
import { defaultRoutingConfig } from './config.js';
import { inhibitedBy } from './inhibit.js';
import { alertFromReport, reportLabels } from './labels.js';

describe('reportLabels', () => {
  it('labels a node report with its entity, severity, scenario, kind and cause', () => {
    expect(reportLabels(report)).toEqual({ cluster: 'prod-eu', node: 'worker-7', severity: 'CRITICAL', scenario: 'MEMORY', kind: 'diagnosis', cause: 'MEMORY_LEAK_PROCESS' });
  });

  it('a node CRITICAL report mutes a WARNING report about a pod on that node under the default rule', () => {
    const podReport = { ...report, id: 'p', severity: 'WARNING' as const, entity: { ...report.entity, namespace: 'shop', pod: 'api-1', container: 'app' } };
    expect(reportLabels(podReport)).toMatchObject({ namespace: 'shop', pod: 'api-1', container: 'app' });
    const rules = defaultRoutingConfig({ email: false }).inhibitRules;
    expect(inhibitedBy(rules, [alertFromReport(report)], reportLabels(podReport), report.createdAtMs)).toBeDefined();
    expect(alertFromReport(podReport)).toMatchObject({ startsAtMs: report.createdAtMs, resolvedAtMs: null, sourceId: 'p' });
  });
});
