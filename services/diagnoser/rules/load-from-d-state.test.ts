import { describe, expect, it } from 'vitest';
import { loadFromDState } from './load-from-d-state.js';
import { at, evidenceOf, healthyScene, processSamples, T0 } from './testdata/field-scenes.js';

/** A load of 9.5 on a 4-CPU node with idle CPUs: postgres (6 threads) and two rsyncs stuck in D on a slow disk. */
function dStateScene(): ReturnType<typeof processSamples> {
  return [0, 5_000].flatMap((t) => [
    ...processSamples(T0 + t, { pid: 2480, comm: 'postgres', state: 'D', threads: 6, writeBps: 12e6 }),
    ...processSamples(T0 + t, { pid: 881, comm: 'rsync', state: 'D' }),
    ...processSamples(T0 + t, { pid: 882, comm: 'rsync', state: 'D' }),
    ...processSamples(T0 + t, { pid: 1102, comm: 'kubelet', state: 'S', threads: 40 }),
    at(T0 + t, 'node_load1', 9.5), at(T0 + t, 'node_procs_blocked', 8), at(T0 + t, 'node_pressure_io_waiting_avg10_ratio', 0.62),
  ]);
}

describe('loadFromDState', () => {
  it('names the D-state threads behind the load, heaviest first', () => {
    const finding = loadFromDState(evidenceOf(dStateScene()))!;
    expect(finding.cause).toBe('LOAD_FROM_D_STATE');
    expect(finding.summary).toBe('load 9.50 comes from 8 threads in D state (uninterruptible I/O wait, 84 % of load1), led by postgres (pid 2480)');
    expect(finding.facts[0]!.detail).toBe('postgres (pid 2480), rsync (pid 881), rsync (pid 882)');
    expect(finding.suggestions[0]!.command).toBe('cat /proc/2480/wchan; echo; cat /proc/2480/stack');
  });

  it('ignores one or two tasks blinking through D and a healthy node', () => {
    const light = dStateScene().filter((s) => s.labels.pid !== '2480').map((s) => (s.name === 'node_procs_blocked' ? { ...s, value: 2 } : s));
    expect(loadFromDState(evidenceOf(light))).toBeUndefined();
    expect(loadFromDState(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
