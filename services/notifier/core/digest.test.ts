import { describe, expect, it } from 'vitest';
import { messageFromReport } from '../channels/message.js';
import { digestMessage } from './digest.js';
import { memoryGrowthReport } from './testdata/report.js';

describe('digestMessage', () => {
  const firing = messageFromReport(memoryGrowthReport, { groupKey: 'g1' });
  const warning = messageFromReport({ ...memoryGrowthReport, id: 'r2', severity: 'WARNING' }, { groupKey: 'g2' });
  const resolved = messageFromReport({ ...memoryGrowthReport, id: 'r3' }, { groupKey: 'g3', resolved: true });

  it('is the message itself when there is one', () => {
    expect(digestMessage([firing])).toBe(firing);
  });

  it('folds several into one with a line and an id per message, the worst severity, oldest first', () => {
    const digest = digestMessage([warning, firing, resolved]);
    expect(digest.title).toBe('3 notifications (2 firing, 1 resolved) — held back by a rate limit or outage');
    expect(digest.severity).toBe('CRITICAL');
    expect(digest.resolved).toBe(false);
    expect(digest.facts.map((fact) => fact.name)).toEqual([warning.title, firing.title, resolved.title]);
    expect(digest.digestOf).toEqual([
      { groupKey: 'g2', reportId: 'r2', title: warning.title, resolved: false },
      { groupKey: 'g1', reportId: memoryGrowthReport.id, title: firing.title, resolved: false },
      { groupKey: 'g3', reportId: 'r3', title: resolved.title, resolved: true },
    ]);
  });
});
