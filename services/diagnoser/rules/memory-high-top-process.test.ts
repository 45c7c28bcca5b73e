import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { memoryHighTopProcess } from './memory-high-top-process.js';
import { memoryHogScene, request, T0 } from './testdata/scenes.js';

describe('memoryHighTopProcess', () => {
  it('names the largest resident process of the latest process table', () => {
    const finding = memoryHighTopProcess(buildEvidence(request(memoryHogScene({ hog: false }))))!;
    expect(finding.cause).toBe('MEMORY_HIGH_TOP_PROCESS');
    expect(finding.summary).toMatch(/^process java \(pid 2101\) holds the most memory: RSS 2\.5 GiB \(\d+ % of process RSS on the node\)$/);
    expect(finding.suggestions[0]!.command).toBe('cat /proc/2101/status');
    expect(finding.confidence).toBeLessThanOrEqual(0.6);
  });

  it('ignores a process that is no longer in the latest table', () => {
    const scene = memoryHogScene({ hog: false });
    scene.push({ name: 'process_rss_bytes', labels: { pid: '9', comm: 'gone', state: 'Z' }, value: 64 * 2 ** 30, timestampMs: T0 });
    expect(memoryHighTopProcess(buildEvidence(request(scene)))!.summary).toContain('(pid 2101)');
  });

  it('finds nothing without a process table', () => {
    expect(memoryHighTopProcess(buildEvidence(request([])))).toBeUndefined();
  });
});
