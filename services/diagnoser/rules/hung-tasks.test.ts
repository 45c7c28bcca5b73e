import { describe, expect, it } from 'vitest';
import { hungTasks } from './hung-tasks.js';
import { evidenceOf, healthyScene, hungTaskScene, processSamples, T0 } from './testdata/field-scenes.js';

describe('hungTasks', () => {
  it("names the task of node-problem-detector's docker_hung kernel log, still in D state", () => {
    const finding = hungTasks(evidenceOf(hungTaskScene(), 'OTHER'))!;
    expect(finding.cause).toBe('HUNG_TASKS');
    expect(finding.summary).toBe('the kernel reported 1 hung task: docker (pid 20744) blocked for more than 120 s');
    expect(finding.facts[0]).toMatchObject({ name: 'task blocked', value: 120, unit: 'seconds' });
    expect(finding.facts[1]).toMatchObject({ name: 'reported tasks still in D state', detail: 'docker (pid 20744)' });
    expect(finding.suggestions[0]!.command).toBe('cat /proc/20744/stack; cat /proc/20744/wchan');
    expect(finding.confidence).toBeGreaterThan(0.85);
  });

  it('finds a process in D state for two minutes without a kernel report, not one that blinks into D', () => {
    const stuck = [0, 60_000, 130_000].flatMap((t) => processSamples(T0 + t, { pid: 881, comm: 'rsync', state: 'D' }));
    expect(hungTasks(evidenceOf(stuck))!.summary).toBe('rsync (pid 881) has been in uninterruptible sleep (D) for 130 s');
    const blink = [...processSamples(T0, { pid: 881, comm: 'rsync', state: 'D' }), ...processSamples(T0 + 130_000, { pid: 881, comm: 'rsync', state: 'S' })];
    expect(hungTasks(evidenceOf(blink))).toBeUndefined();
    expect(hungTasks(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
