import { describe, expect, it } from 'vitest';
import { pidExhaustion } from './pid-exhaustion.js';
import { at, evidenceOf, healthyScene, pidsScene, readTestdata, T0 } from './testdata/field-scenes.js';

describe('pidExhaustion', () => {
  it('names the cgroup of the recorded fork storm at pids.max 30 and the shell that forked 28 sleepers', () => {
    expect(readTestdata('captured/pids-fork-errors.txt')).toContain('Cannot fork');
    const finding = pidExhaustion(evidenceOf(pidsScene(), 'PIDS'))!;
    expect(finding.cause).toBe('PID_EXHAUSTION');
    expect(finding.summary).toBe('cgroup /vigil-pids is at its pids.max (29 of 30 tasks) and the kernel refused 1 fork; most tasks come from sh (pid 1375)');
    const facts = Object.fromEntries(finding.facts.map((f) => [f.name, f]));
    expect(facts['forks refused at pids.max']!.value).toBe(1);
    expect(facts['heaviest forker']!.detail).toBe('sh (pid 1375): 28 children, 1 threads');
    expect(finding.suggestions[0]!.command).toBe('ps -o pid,ppid,nlwp,stat,etime,cmd --ppid 1375 | head -20');
    expect(finding.suggestions[1]!.command).toBe('echo 64 > /sys/fs/cgroup/vigil-pids/pids.max');
  });

  it('finds a node near kernel.pid_max', () => {
    const scene = [at(T0, 'node_procs_threads', 31_000), at(T0, 'node_processes_max_processes', 32_768), at(T0, 'node_processes_max_threads', 192_730)];
    const finding = pidExhaustion(evidenceOf(scene, 'PIDS'))!;
    expect(finding.summary).toBe('the node runs 31000 threads, 95 % of kernel.pid_max = 32768');
    expect(finding.suggestions[1]!.command).toBe('sysctl -w kernel.pid_max=131072');
  });

  it('stays quiet on old refusals below the limit and on a healthy node', () => {
    const relaxed = pidsScene().map((s) => (s.name === 'cgroup_pids_current' ? { ...s, value: 5 } : s));
    expect(pidExhaustion(evidenceOf(relaxed))).toBeUndefined();
    expect(pidExhaustion(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
