import { describe, expect, it } from 'vitest';
import { evidenceOf, healthyScene } from './testdata/field-scenes.js';
import { nodeRules } from './testdata/my-rules.js';

describe('a healthy scene', () => {
  it('recorded from a quiet machine (two collector cycles 5 s apart) accuses nobody', () => {
    const scene = healthyScene();
    expect(scene.length).toBeGreaterThan(1000);
    for (const scenario of ['LOAD', 'CPU_THROTTLE', 'IO', 'NETWORK', 'SCHED', 'DISK', 'PIDS', 'OTHER', 'MEMORY', 'OOM'] as const) {
      const evidence = evidenceOf(scene, scenario);
      const fired = Object.entries(nodeRules).flatMap(([name, rule]) => {
        const finding = rule(evidence);
        return finding ? [`${name}: ${finding.summary}`] : [];
      });
      expect(fired).toEqual([]);
    }
  });
});
