import { describe, expect, it } from 'vitest';
import { memoryGrowthReport } from '../core/testdata/report.js';
import { messageFromReport, truncateChars, truncateUtf8 } from './message.js';

describe('messageFromReport', () => {
  it('carries the report as a user reads it', () => {
    const message = messageFromReport(memoryGrowthReport);
    expect(message).toMatchObject({
      title: 'CRITICAL MEMORY_LEAK_PROCESS on prod-eu/worker-7',
      severity: 'CRITICAL',
      summary: memoryGrowthReport.rootCause.summary,
      labels: { cluster: 'prod-eu', node: 'worker-7', scenario: 'MEMORY', cause: 'MEMORY_LEAK_PROCESS' },
      groupKey: 'prod-eu/worker-7:MEMORY_LEAK_PROCESS',
      resolved: false,
      reportId: memoryGrowthReport.id,
    });
    expect(message.facts[0]).toEqual({ name: 'rss growth rate', value: '40.0 MiB/s', detail: 'pid 4242 python3' });
    expect(message.suggestions[0]).toEqual({ action: expect.stringContaining('inspect python3'), command: 'cat /proc/4242/status' });
    expect(message.labels).not.toHaveProperty('pod');
  });

  it('keeps the summary on one line and marks a resolved message', () => {
    const report = { ...memoryGrowthReport, rootCause: { ...memoryGrowthReport.rootCause, summary: 'a\nb\r\n\tc' }, entity: { ...memoryGrowthReport.entity, namespace: 'ns', pod: 'p' } };
    const message = messageFromReport(report, { resolved: true, groupKey: 'k' });
    expect(message.summary).toBe('a b c');
    expect(message.title.startsWith('RESOLVED')).toBe(true);
    expect(message).toMatchObject({ resolved: true, groupKey: 'k', labels: { namespace: 'ns', pod: 'p' } });
  });
});

describe('truncation', () => {
  it('cuts characters and UTF-8 bytes with a visible notice, never splitting a character', () => {
    expect(truncateChars('short', 10)).toBe('short');
    const cut = truncateChars('x'.repeat(100), 50);
    expect(cut).toHaveLength(50);
    expect(cut.endsWith('… truncated')).toBe(true);
    const bytes = truncateUtf8('内存'.repeat(100), 100);
    expect(Buffer.byteLength(bytes)).toBeLessThanOrEqual(100);
    expect(bytes).not.toContain('\ufffd');
    expect(bytes.endsWith('… truncated')).toBe(true);
  });
});
