import { describe, expect, it } from 'vitest';
import { cpuThrottleBursts } from './cpu-throttle-bursts.js';
import { at, evidenceOf, healthyScene, T0, throttleScene } from './testdata/field-scenes.js';

const labels = { cgroup: '/kubepods/burstable/pod7/api', namespace: 'shop', pod: 'api-5f6d7c8b9-x2x9q', container: 'api', owner_kind: 'ReplicaSet', owner_name: 'api-5f6d7c8b9' };

/**
 * A 2-core-limited API that averages 0.4 cores over 60 s (6,000 periods at 100 ms) but is throttled
 * in 1,800 of them: request bursts exhaust the 200 ms quota within a period. Throttled run time 9 s/min.
 */
function burstScene() {
  return [
    at(T0, 'cgroup_cpu_periods_total', 50_000, labels), at(T0 + 60_000, 'cgroup_cpu_periods_total', 51_200, labels),
    at(T0, 'cgroup_cpu_throttled_periods_total', 9_000, labels), at(T0 + 60_000, 'cgroup_cpu_throttled_periods_total', 9_360, labels),
    at(T0, 'cgroup_cpu_throttled_seconds_total', 400, labels), at(T0 + 60_000, 'cgroup_cpu_throttled_seconds_total', 409, labels),
    at(T0, 'cgroup_cpu_usage_seconds_total', 3_000, labels), at(T0 + 60_000, 'cgroup_cpu_usage_seconds_total', 3_024, labels),
    at(T0 + 60_000, 'cgroup_cpu_quota_cores', 2, labels),
  ];
}

describe('cpuThrottleBursts', () => {
  it('names the pod throttled at 20 % of its limit and suggests CPU burst of one quota', () => {
    const finding = cpuThrottleBursts(evidenceOf(burstScene(), 'CPU_THROTTLE'))!;
    expect(finding.cause).toBe('CPU_THROTTLE_BURSTS');
    expect(finding.summary).toBe(
      'pod shop/api-5f6d7c8b9-x2x9q (cgroup /kubepods/burstable/pod7/api) is throttled in 30 % of CFS periods while using only 0.40 cores of its 2.00 cores limit on average: short bursts hit the quota',
    );
    expect(finding.suggestions[0]!.setting).toBe('cpu.max.burst=200000 (cgroup v2) or cpu.cfs_burst_us=200000 (v1)');
    expect(finding.suggestions[1]!.command).toBe('kubectl -n shop set resources deployment/api -c api --limits=cpu=2600m');
    expect(finding.facts.find((f) => f.name === 'average CPU usage')!.value).toBeCloseTo(0.4, 9);
  });

  it('does not call the recorded throttle capture bursts (no usage counter, and it runs at the quota), nor a healthy node', () => {
    expect(cpuThrottleBursts(evidenceOf(throttleScene()))).toBeUndefined();
    expect(cpuThrottleBursts(evidenceOf(healthyScene()))).toBeUndefined();
    const rare = burstScene().map((s) => (s.name === 'cgroup_cpu_throttled_periods_total' && s.timestampMs > T0 ? { ...s, value: 9_060 } : s));
    expect(cpuThrottleBursts(evidenceOf(rare))).toBeUndefined();
  });
});
