import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { memoryGrowth } from './memory-growth.js';
import { memoryHogScene, oomCapture, oomScene, request, T0 } from './testdata/scenes.js';

const MiB = 1024 * 1024;

describe('memoryGrowth', () => {
  it('names the process growing 40 MiB/s among steady ones, not the largest', () => {
    const finding = memoryGrowth(buildEvidence(request(memoryHogScene())))!;
    expect(finding.cause).toBe('MEMORY_GROWTH_PROCESS');
    expect(finding.summary).toBe('process python3 (pid 4242) grew its RSS by 1000.0 MiB at 40.0 MiB/s to 1.5 GiB');
    const facts = Object.fromEntries(finding.facts.map((f) => [f.name, f]));
    expect(facts['rss']).toMatchObject({ value: 1512 * MiB, unit: 'bytes', detail: 'pid 4242 python3' });
    expect(facts['rss growth']).toMatchObject({ value: 1000 * MiB, unit: 'bytes' });
    expect(facts['rss growth rate']).toMatchObject({ value: 40 * MiB, unit: 'bytes/s' });
    expect(facts['node MemAvailable']).toMatchObject({ value: 12 * 1024 * MiB - 1512 * MiB, unit: 'bytes' });
    expect(finding.suggestions.map((s) => s.command)).toEqual(['cat /proc/4242/status', 'pmap -x 4242', null]);
    expect(finding.suggestions[2]!.setting).toBe('memory.max=768M (cgroup v2) or resources.limits.memory: 768Mi (container)');
    expect(finding.confidence).toBeGreaterThan(0.9);
  });

  it('is less confident when another process grew almost as much', () => {
    const scene = memoryHogScene();
    for (let snapshot = 0; snapshot < 6; snapshot++) {
      scene.push({ name: 'process_rss_bytes', labels: { pid: '6001', comm: 'node', state: 'S' }, value: 200 * MiB + snapshot * 180 * MiB, timestampMs: T0 + snapshot * 5_000 });
    }
    const dominant = memoryGrowth(buildEvidence(request(memoryHogScene())))!;
    const shared = memoryGrowth(buildEvidence(request(scene)))!;
    expect(shared.summary).toContain('(pid 4242)');
    expect(shared.confidence).toBeLessThan(dominant.confidence - 0.15);
  });

  it('is critical when MemAvailable runs out within minutes at that rate, a warning otherwise', () => {
    expect(memoryGrowth(buildEvidence(request(memoryHogScene())))!.severity).toBe('CRITICAL');
    const roomy = memoryHogScene().map((s) => (s.name === 'node_memory_MemAvailable_bytes' ? { ...s, value: 64 * 1024 * MiB } : s));
    expect(memoryGrowth(buildEvidence(request(roomy)))!.severity).toBe('WARNING');
  });

  it('finds nothing when no process grew beyond allocator noise', () => {
    expect(memoryGrowth(buildEvidence(request(memoryHogScene({ hog: false }).filter((s) => s.labels['comm'] !== 'prometheus'))))).toBeUndefined();
  });

  it('names the victim of the recorded OOM kill', () => {
    const capture = oomCapture();
    expect(capture.lateStatusIsEmpty).toBe(true);
    expect(capture.killedPid).toBe(capture.victimPid);
    const finding = memoryGrowth(buildEvidence(request(oomScene(), 'OOM', T0 + 800)))!;
    expect(finding.cause).toBe('MEMORY_GROWTH_PROCESS');
    expect(finding.summary).toContain(`python3 (pid ${capture.victimPid})`);
    expect(finding.summary).toBe(`process python3 (pid 1039) grew its RSS by 6.4 MiB at 21.4 MiB/s to 65.7 MiB`);
    const growth = finding.facts.find((f) => f.name === 'rss growth')!;
    expect(growth.value).toBe((67276 - 60708) * 1024);
    expect(finding.severity).toBe('CRITICAL');
  });
});
