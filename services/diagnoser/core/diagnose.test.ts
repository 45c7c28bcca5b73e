import { describe, expect, it } from 'vitest';
import { deterministicId } from '../../../src/codec/ids.js';
import { diagnose } from './diagnose.js';
import { memoryHogScene, oomScene, request, T0 } from '../rules/testdata/scenes.js';

describe('diagnose', () => {
  it('reports the growing process of a MEMORY request with a deterministic id and the request time', () => {
    const req = request(memoryHogScene());
    const report = diagnose(req);
    expect(report).toMatchObject({
      id: deterministicId(req.id, 'MEMORY_GROWTH_PROCESS'),
      requestId: req.id,
      anomalyIds: ['anomaly-1'],
      entity: req.entity,
      scenario: 'MEMORY',
      rootCause: { code: 'MEMORY_GROWTH_PROCESS' },
      severity: 'CRITICAL',
      kubernetes: {},
      createdAtMs: T0 + 25_000,
    });
    expect(report.rootCause.summary).toContain('python3 (pid 4242)');
    expect(diagnose(req)).toEqual(report);
  });

  it('falls back to the largest process when nothing grew', () => {
    const report = diagnose(request(memoryHogScene({ hog: false }).filter((s) => s.labels['comm'] !== 'prometheus')));
    expect(report.rootCause.code).toBe('MEMORY_HIGH_TOP_PROCESS');
    expect(report.rootCause.summary).toContain('java (pid 2101)');
  });

  it('names the OOM victim for an OOM request', () => {
    const report = diagnose(request(oomScene(), 'OOM', T0 + 800));
    expect(report.rootCause.code).toBe('MEMORY_GROWTH_PROCESS');
    expect(report.rootCause.summary).toContain('(pid 1039)');
  });

  it('answers UNKNOWN with low confidence for an empty scene', () => {
    const req = request([]);
    const report = diagnose(req);
    expect(report.id).toBe(deterministicId(req.id, 'UNKNOWN'));
    expect(report.rootCause).toEqual({ code: 'UNKNOWN', summary: 'root cause unknown: the scene of this MEMORY request on prod-eu/worker-7 is empty' });
    expect(report.confidence).toBeLessThanOrEqual(0.2);
    expect(report.suggestions).toEqual([]);
  });

  it('answers UNKNOWN for a scenario without rules, saying so', () => {
    const report = diagnose(request(memoryHogScene(), 'NETWORK'));
    expect(report.rootCause.code).toBe('UNKNOWN');
    expect(report.rootCause.summary).toContain('no rules for scenario NETWORK');
  });

  it('drops samples with non-finite values instead of computing NaN growth', () => {
    const scene = memoryHogScene().map((s) => (s.labels['pid'] === '4242' && s.timestampMs === T0 + 25_000 ? { ...s, value: Number.NaN } : s));
    const report = diagnose(request(scene));
    expect(report.rootCause.summary).toBe('process python3 (pid 4242) grew its RSS by 800.0 MiB at 40.0 MiB/s to 1.3 GiB');
  });
});
