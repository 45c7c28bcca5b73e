import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { request } from './testdata/scenes.js';
import { at, cgroup, GiB, MiB, node, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';
import { memoryLeakProcess } from './memory-leak-process.js';
import { memoryHogScene } from './testdata/scenes.js';

describe('memoryLeakProcess', () => {
  it('names the process growing 40 MiB/s among steady ones, with its pid, rate and pod', () => {
    const scene = [...process(6, 4242, 'python3', (i) => 512 * MiB + i * 200 * MiB, { cgroup: POD_CGROUP, pod: POD }), ...process(6, 2101, 'java', () => 2600 * MiB), ...node(6, (i) => 12 * GiB - i * 200 * MiB)];
    const finding = memoryLeakProcess(buildEvidence(request(scene)))!;
    expect(finding.cause).toBe('MEMORY_LEAK_PROCESS');
    expect(finding.summary).toBe('process python3 (pid 4242) in pod shop/cart-7d9f grew its anonymous RSS by 1000.0 MiB at 40.0 MiB/s to 1.5 GiB (up in 100 % of snapshots)');
    expect(finding.facts[0]).toMatchObject({ name: 'anonymous RSS growth rate', value: 40 * MiB, unit: 'bytes/s' });
    expect(finding.suggestions[3]!.command).toBe('kubectl -n shop set resources deployment/cart -c app --limits=memory=640Mi');
    expect(finding.confidence).toBeGreaterThan(0.85);
  });

  it('keeps naming the hog of the demo scene', () => {
    expect(memoryLeakProcess(buildEvidence(request(memoryHogScene())))!.summary).toContain('python3 (pid 4242)');
  });

  it.each([
    ['a warm-up wobble of 20 MiB', (i: number) => 300 * MiB + (i % 2) * 20 * MiB],
    ['steady processes', () => 2 * GiB],
    ['growth that came back down', (i: number) => 512 * MiB + (i < 3 ? i : 5 - i) * 100 * MiB],
  ])('accuses nobody for %s', (_name, rss) => {
    expect(memoryLeakProcess(buildEvidence(request(process(6, 7, 'app', rss))))).toBeUndefined();
  });
});
