import { describe, expect, it } from 'vitest';
import type { SceneSample } from '../../../src/codec/records.generated.js';
import { delta, latest, ratePerSecond, SceneView } from './scene-view.js';

const at = (timestampMs: number, name: string, value: number, labels: Record<string, string> = {}): SceneSample => ({ name, labels, value, timestampMs });

describe('SceneView', () => {
  const pod = { namespace: 'shop', pod: 'cart-7d9f', container: 'app', cgroup: '/kubepods/burstable/pod1/abc' };
  const scene = new SceneView([
    at(0, 'process_rss_bytes', 100e6, { pid: '42', comm: 'java', state: 'S', ...pod }),
    at(5_000, 'process_rss_bytes', 150e6, { pid: '42', comm: 'java', state: 'R', ...pod }),
    at(5_000, 'process_info', 1, { pid: '42', comm: 'java', state: 'R', cmdline: 'java -Xmx512m -jar cart.jar', ppid: '1', ...pod }),
    at(0, 'cgroup_cpu_throttled_periods_total', 10, { cgroup: '/kubepods/burstable/pod1/abc', namespace: 'shop', pod: 'cart-7d9f' }),
    at(5_000, 'cgroup_cpu_throttled_periods_total', 60, { cgroup: '/kubepods/burstable/pod1/abc', namespace: 'shop', pod: 'cart-7d9f' }),
    at(5_000, 'cgroup_io_write_bytes_total', 4096, { cgroup: '/kubepods/burstable/pod1/abc', device: '8:0' }),
    at(5_000, 'node_sysctl_vm_dirty_background_ratio', 5),
    at(5_000, 'node_memory_MemAvailable_bytes', Number.NaN),
    at(5_000, 'kernel_oom_kill', 66715648, { pid: '1039', comm: 'python3', constraint: 'CONSTRAINT_MEMCG' }),
    at(5_000, 'kernel_oom_kill_total_vm_bytes', 77914112, { pid: '1039', comm: 'python3', constraint: 'CONSTRAINT_MEMCG' }),
  ]);

  it('follows one process across a state change, with its pod, command line and rate of growth', () => {
    const [java] = scene.processes();
    expect(java).toMatchObject({ pid: '42', comm: 'java', state: 'R', states: ['S', 'R'], cmdline: 'java -Xmx512m -jar cart.jar', pod: { namespace: 'shop', pod: 'cart-7d9f', container: 'app' } });
    expect(ratePerSecond(java!.metrics.get('rss_bytes'))).toBe(10e6);
  });

  it('gathers a cgroup’s counters and per-device I/O, and reads sysctls by their dotted names', () => {
    const [cgroup] = scene.cgroups();
    expect(delta(cgroup!.metrics.get('cpu_throttled_periods_total'))).toBe(50);
    expect(latest(cgroup!.devices.get('io_write_bytes_total')?.get('8:0'))).toBe(4096);
    expect(cgroup!.pod).toEqual({ namespace: 'shop', pod: 'cart-7d9f' });
    expect(scene.sysctl('vm.dirty_background_ratio')).toBe(5);
  });

  it('gives kernel events with their sibling details, and leaves non-finite values out', () => {
    expect(scene.events('oom_kill')).toEqual([expect.objectContaining({ value: 66715648, details: new Map([['total_vm_bytes', 77914112]]) })]);
    expect(scene.has('node_memory_MemAvailable_bytes')).toBe(false);
    expect(scene.times).toEqual([0, 5_000]);
    expect(scene.sampleCount).toBe(9);
  });
});
