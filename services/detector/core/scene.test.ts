import { expect, test } from 'vitest';
import { NodeScene, defaultSceneOptions } from './scene.js';
import { cgroupNodeBatches, containerCgroup, podLabels } from './testdata/cgroup-node.js';

const batches = cgroupNodeBatches({ node: 'worker-1', points: 10 });

function sceneOf(options = defaultSceneOptions): NodeScene {
  const scene = new NodeScene(options);
  batches.forEach((batch, position) => scene.observe(batch, batch.samples, position));
  return scene;
}

test('the scene holds the latest cgroup, PSI and process samples (six process snapshots), from the latest batches', () => {
  const scene = sceneOf();
  const samples = scene.samples({ cgroup: containerCgroup, namespace: podLabels.namespace, pod: podLabels.pod });
  const names = new Set(samples.map((s) => s.name));
  for (const name of ['cgroup_memory_working_set_bytes', 'cgroup_memory_limit_bytes', 'cgroup_cpu_throttled_periods_total', 'cgroup_pressure_memory_waiting_avg10_ratio', 'node_pressure_memory_waiting_avg10_ratio', 'process_rss_bytes']) {
    expect(names.has(name), name).toBe(true);
  }
  expect(new Set(samples.filter((s) => s.name === 'process_rss_bytes').map((s) => s.timestampMs)).size).toBe(6);
  expect(new Set(samples.filter((s) => s.name.startsWith('cgroup_')).map((s) => s.timestampMs))).toEqual(new Set([batches.at(-1)!.timestampMs]));
  // memory.stat counters the diagnosis does not read are not cached.
  expect(names.has('cgroup_memory_stat_pgmajfault_total')).toBe(false);
  expect(scene.attributionOf(containerCgroup)).toEqual({ namespace: 'shop', pod: 'checkout-7d9f8b6c5-x2x9q', container: 'app' });
  expect(scene.attributionOf('/init.scope')).toBeUndefined();
});

test('bounded by samples per node: the oldest process snapshots go first, and the drops are counted', () => {
  const unbounded = sceneOf().sampleCount;
  const scene = sceneOf({ ...defaultSceneOptions, maxSamples: unbounded - 6 });
  expect(scene.sampleCount).toBeLessThanOrEqual(unbounded - 6);
  expect(scene.dropped).toBeGreaterThan(0);
  const samples = scene.samples();
  expect(new Set(samples.filter((s) => s.name === 'process_rss_bytes').map((s) => s.timestampMs)).size).toBeLessThan(6);
  expect(samples.some((s) => s.name === 'cgroup_memory_working_set_bytes')).toBe(true);
  // Never above the bound, however small.
  const tiny = sceneOf({ ...defaultSceneOptions, maxSamples: 5 });
  expect(tiny.sampleCount).toBeLessThanOrEqual(5);
});

test('a request carries the anomaly\'s cgroup and the largest ones, not every cgroup of the node', () => {
  const scene = new NodeScene({ ...defaultSceneOptions, topCgroups: 2 });
  const samples = Array.from({ length: 50 }, (_, i) => ({ name: 'cgroup_memory_working_set_bytes', labels: { cgroup: `/system.slice/unit-${i}.service` }, value: i * 1e6 }));
  scene.observe({ id: 'm', cluster: 'c', node: 'n', source: 'cgroup.memory.3', timestampMs: 1, samples }, samples, 0);
  const cgroups = (focus = {}) => scene.samples(focus).map((s) => s.labels['cgroup']).sort();
  expect(cgroups()).toEqual(['/system.slice/unit-48.service', '/system.slice/unit-49.service']);
  expect(cgroups({ cgroup: '/system.slice/unit-3.service' })).toEqual(['/system.slice/unit-3.service', '/system.slice/unit-48.service', '/system.slice/unit-49.service']);
});
