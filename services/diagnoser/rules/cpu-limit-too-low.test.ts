import { describe, expect, it } from 'vitest';
import { cpuLimitTooLow } from './cpu-limit-too-low.js';
import { at, evidenceOf, healthyScene, processSamples, T0, throttleScene } from './testdata/field-scenes.js';

describe('cpuLimitTooLow', () => {
  it('names the cgroup of the recorded throttle capture (every one of the 51 periods between the first and last read, at 20 ms / 100 ms) and suggests ≈ 2.7 cores', () => {
    const finding = cpuLimitTooLow(evidenceOf(throttleScene(), 'CPU_THROTTLE'))!;
    expect(finding.cause).toBe('CPU_LIMIT_TOO_LOW');
    expect(finding.summary).toContain('cgroup /vigil-throttle is throttled in 100 % of CFS periods at its 0.20 cores CPU limit with 2 runnable threads');
    const facts = Object.fromEntries(finding.facts.map((f) => [f.name, f]));
    expect(facts['throttled CFS periods']).toMatchObject({ value: 1, detail: '51 of 51 periods, /vigil-throttle' });
    expect(facts['CPU quota']!.value).toBe(0.2);
    // 9.116384459 s throttled over the 5 s run: the two loops wanted ≈ 1.82 more cores than the 0.2 they got.
    expect(facts['run time lost to throttling']!.value).toBeCloseTo(9.116384459 / 5, 6);
    expect(facts['estimated CPU demand']!.value).toBeCloseTo(0.2 + 9.116384459 / 5, 6);
    expect(facts['runnable (R) threads in the cgroup']!.detail).toBe('sh (pid 1314), sh (pid 1315)');
    expect(finding.suggestions[0]!.setting).toBe('cpu.max="270000 100000" (cgroup v2) or cpu.cfs_quota_us=270000 (v1) for /vigil-throttle');
    expect(finding.suggestions[0]!.action).toContain('to 2.70 cores');
    expect(finding.severity).toBe('CRITICAL');
    expect(finding.confidence).toBeGreaterThan(0.9);
  });

  it('gives the kubectl command for a pod of a Deployment', () => {
    const pod = { namespace: 'shop', pod: 'cart-7d9f8-abcde', container: 'app', owner_kind: 'ReplicaSet', owner_name: 'cart-7d9f8' };
    const scene = throttleScene().map((s) => (s.name.startsWith('cgroup_') ? { ...s, labels: { ...s.labels, ...pod } } : s));
    const finding = cpuLimitTooLow(evidenceOf(scene))!;
    expect(finding.summary).toMatch(/^pod shop\/cart-7d9f8-abcde \(cgroup \/vigil-throttle\)/);
    expect(finding.suggestions[0]!.command).toBe('kubectl -n shop set resources deployment/cart -c app --limits=cpu=2700m');
  });

  it('leaves light throttling and low average usage alone (bursts are another rule)', () => {
    const light = [
      at(T0, 'cgroup_cpu_periods_total', 1000, { cgroup: '/a' }), at(T0 + 10_000, 'cgroup_cpu_periods_total', 1100, { cgroup: '/a' }),
      at(T0, 'cgroup_cpu_throttled_periods_total', 10, { cgroup: '/a' }), at(T0 + 10_000, 'cgroup_cpu_throttled_periods_total', 30, { cgroup: '/a' }),
      at(T0 + 10_000, 'cgroup_cpu_quota_cores', 1, { cgroup: '/a' }),
    ];
    expect(cpuLimitTooLow(evidenceOf(light))).toBeUndefined();
    const bursty = [
      ...light.map((s) => (s.name === 'cgroup_cpu_throttled_periods_total' && s.timestampMs > T0 ? { ...s, value: 90 } : s)),
      at(T0, 'cgroup_cpu_usage_seconds_total', 100, { cgroup: '/a' }), at(T0 + 10_000, 'cgroup_cpu_usage_seconds_total', 102, { cgroup: '/a' }),
    ];
    expect(cpuLimitTooLow(evidenceOf(bursty))).toBeUndefined();
    expect(cpuLimitTooLow(evidenceOf(healthyScene()))).toBeUndefined();
    expect(cpuLimitTooLow(evidenceOf(processSamples(T0, { pid: 1, comm: 'x', state: 'R' })))).toBeUndefined();
  });
});
