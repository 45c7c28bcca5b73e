import { describe, expect, it } from 'vitest';
import { deterministicId } from '../../../src/codec/ids.js';
import { notificationRecord } from './notification-record.js';
import { memoryGrowthReport as report } from './testdata/report.js';

describe('notificationRecord', () => {
  it('keys the notification by report and identifies it by channel and receiver', () => {
    const record = notificationRecord({ report, channel: 'email', receiver: 'sre@example.com', status: 'FAILED', attempts: 3, error: '451 try later' });
    expect(record).toEqual({
      id: deterministicId(`report:${report.id}`, 'email', 'sre@example.com'),
      dedupKey: `report:${report.id}`,
      channel: 'email',
      receiver: 'sre@example.com',
      status: 'FAILED',
      subject: '[Vigil] CRITICAL MEMORY_LEAK_PROCESS on prod-eu/worker-7: process python3 (pid 4242) grew its RSS by 1000.0 MiB at 40.0 MiB/s to 1.5 GiB',
      sourceIds: [report.id],
      attempts: 3,
      error: '451 try later',
      timestampMs: report.createdAtMs,
    });
  });

  it('gives a redelivered report the same id and another receiver another id', () => {
    const a = notificationRecord({ report, channel: 'stdout', receiver: 'stdout', status: 'SENT', attempts: 1 });
    expect(notificationRecord({ report, channel: 'stdout', receiver: 'stdout', status: 'SENT', attempts: 1 }).id).toBe(a.id);
    expect(notificationRecord({ report, channel: 'email', receiver: 'stdout', status: 'SENT', attempts: 1 }).id).not.toBe(a.id);
    expect(a.error).toBeNull();
  });
});
