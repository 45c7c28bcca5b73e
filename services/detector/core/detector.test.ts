import { describe, expect, test } from 'vitest';
import { deterministicId } from '../../../src/codec/ids.js';
import type { Anomaly, DiagnosisRequest, MetricBatch, Sample } from '../../../src/codec/records.generated.js';
import { createDetector, type DetectorOptions } from './detector.js';
import { windowLabel } from './policy.js';
import { parseDmesg } from '../../collector/kernel/parse-dmesg.js';
import { kernelEventsOf } from '../../collector/kernel/kernel-events.js';
import { kernelEventSamples, zeroEventCounts } from '../../collector/kernel/kernel-samples.js';
import { readFixture } from '../../collector/testing/fixtures.js';
import { parseRuleFile } from '../rules/rule-file.js';
import { cgroupNodeBatches, containerCgroup, podLabels } from './testdata/cgroup-node.js';
import { GiB, interleave, MiB, nodeBatches } from './testdata/synthetic-node.js';

interface Run {
  anomalies: Anomaly[];
  requests: DiagnosisRequest[];
}

function run(batches: MetricBatch[], options: Partial<DetectorOptions> = {}): Run {
  const detector = createDetector(options);
  const out: Run = { anomalies: [], requests: [] };
  batches.forEach((batch, position) => {
    const { anomalies, requests } = detector.process(batch, position);
    out.anomalies.push(...anomalies);
    out.requests.push(...requests);
  });
  return out;
}

const memAvailable = (a: Anomaly) => a.metric === 'node_memory_MemAvailable_bytes';

describe('quiet nodes', () => {
  test('a flat node with noise on every series gives no anomaly', () => {
    const { anomalies, requests } = run(nodeBatches({ node: 'worker-1', points: 300 }));
    expect(anomalies).toEqual([]);
    expect(requests).toEqual([]);
  });

  test('MemAvailable moving by a few MiB, even 40 MiB at once, does not alert on an idle machine', () => {
    const { anomalies } = run(nodeBatches({ node: 'worker-1', points: 120, availableNoiseBytes: 6 * MiB, availableBytes: (p) => 22 * GiB - (p >= 60 && p < 63 ? 40 * MiB : 0) }));
    expect(anomalies).toEqual([]);
  });
});

describe('a MemAvailable drop', () => {
  // 2 GiB eaten over three points, held for five, then given back.
  const drop = [0, 0.7, 1.4, 2, 2, 2, 2, 2];
  const batches = nodeBatches({ node: 'worker-7', points: 80, availableBytes: (p) => 18 * GiB - (p >= 40 && p < 48 ? drop[p - 40]! * GiB : 0) });
  const { anomalies, requests } = run(batches);
  const opened = anomalies.filter((a) => a.state === 'OPEN');

  test('opens one DIP anomaly on MemAvailable once 3 of 5 points are anomalous, voted by the engine\'s models and the memory rule', () => {
    expect(opened).toHaveLength(1);
    const open = opened[0]!;
    expect(open).toMatchObject({
      metric: 'node_memory_MemAvailable_bytes',
      series: 'node_memory_MemAvailable_bytes{}',
      entity: { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null },
      kind: 'DIP',
      models: ['robust-zscore', 'level-shift', 'expert:memory-available'],
      // The first anomalous point (41) is when it began; 3 of 5 anomalous points (43) open it.
      openedAtMs: batches[0]!.timestampMs + 41 * 15_000,
      observedAtMs: batches[0]!.timestampMs + 43 * 15_000,
      resolvedAtMs: null,
    });
    expect(open.score).toBeGreaterThanOrEqual(1);
    expect(open.value).toBeLessThan(open.expectedLow);
    expect(open.expectedLow).toBeGreaterThan(17.7 * GiB); // the band is at least the rule minimum (1 % of MemTotal) wide
    expect(open.expectedHigh).toBeLessThan(18.3 * GiB);
    expect(open.id).toBe(deterministicId('node_memory_MemAvailable_bytes{}', 'prod-eu/worker-7', open.openedAtMs));
    expect(open.eventId).toBe(deterministicId(open.id, 'OPEN', open.observedAtMs));
  });

  test('asks for one MEMORY diagnosis with the scene: six process snapshots and the latest meminfo, vmstat, pressure', () => {
    expect(requests).toHaveLength(1);
    const request = requests[0]!;
    const open = opened[0]!;
    expect(request).toMatchObject({
      id: deterministicId(open.id, 'MEMORY'),
      anomalyIds: [open.id],
      scenario: 'MEMORY',
      metric: 'node_memory_MemAvailable_bytes',
      entity: open.entity,
      requestedAtMs: open.observedAtMs,
    });
    const javaRss = request.scene.filter((s) => s.name === 'process_rss_bytes' && s.labels['comm'] === 'java');
    expect(javaRss).toHaveLength(6);
    expect(new Set(javaRss.map((s) => s.timestampMs)).size).toBe(6);
    expect(javaRss.at(-1)!.timestampMs).toBeLessThan(open.observedAtMs);
    const latest = (name: string) => request.scene.filter((s) => s.name === name && !(windowLabel in s.labels));
    expect(latest('node_memory_MemAvailable_bytes')).toEqual([{ name: 'node_memory_MemAvailable_bytes', labels: {}, value: open.value, timestampMs: open.observedAtMs }]);
    expect(latest('node_memory_MemTotal_bytes')).toHaveLength(1);
    expect(latest('node_vmstat_pgmajfault')).toHaveLength(1);
    expect(latest('node_pressure_memory_waiting_seconds_total')).toHaveLength(1);
    // The series' recent window: the last 30 points, ending with the anomalous one.
    const window = request.scene.filter((s) => s.labels[windowLabel] === 'value');
    expect(window).toHaveLength(30);
    expect(window.every((s) => s.name === 'node_memory_MemAvailable_bytes')).toBe(true);
    expect(window.at(-1)).toMatchObject({ value: open.value, timestampMs: open.observedAtMs });
  });

  test('resolves after three normal points once the memory is back', () => {
    const steps = anomalies.filter((a) => a.id === opened[0]!.id);
    const resolved = steps.filter((a) => a.state === 'RESOLVED');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.observedAtMs).toBe(batches[0]!.timestampMs + 50 * 15_000);
    expect(resolved[0]!.resolvedAtMs).toBe(resolved[0]!.observedAtMs);
    expect(resolved[0]!.score).toBeLessThan(1);
    expect(steps.every((a) => a.state !== 'UPDATE' || a.score >= 1)).toBe(true);
    expect(anomalies.filter((a) => !memAvailable(a))).toEqual([]);
  });
});

test('MemAvailable under 5 % of MemTotal is a CRITICAL THRESHOLD anomaly, even from the start', () => {
  const { anomalies, requests } = run(nodeBatches({ node: 'worker-3', points: 30, availableBytes: (p) => (p < 4 ? 1 * GiB : 6 * GiB) }));
  const open = anomalies.find((a) => a.state === 'OPEN')!;
  expect(open).toMatchObject({ kind: 'THRESHOLD', severity: 'CRITICAL', models: ['expert:memory-available-floor'], observedAtMs: open.openedAtMs });
  expect(open.score).toBeCloseTo((0.05 * 24 * GiB) / open.value, 6);
  expect(open.expectedLow).toBeCloseTo(0.05 * 24 * GiB);
  expect(requests.map((r) => r.anomalyIds)).toEqual([[open.id]]);
  expect(anomalies.filter((a) => a.id === open.id).map((a) => a.state)).toEqual(['OPEN', 'RESOLVED']);
});

test('a CPU busy spike opens on the busy modes; a counter reset of vmstat is no anomaly', () => {
  const { anomalies } = run(nodeBatches({ node: 'worker-4', points: 90, cpuBusy: (p) => (p >= 60 && p < 66 ? 0.95 : 0.12), vmstatResetAt: 40 }));
  const opened = anomalies.filter((a) => a.state === 'OPEN');
  expect(opened.length).toBeGreaterThan(0);
  expect(opened.every((a) => a.metric === 'node_cpu_seconds_total' && a.kind === 'SPIKE' && a.labels['mode'] === 'user')).toBe(true);
  expect(anomalies.filter((a) => a.metric.startsWith('node_vmstat_'))).toEqual([]);
});

describe('bounded state', () => {
  test('a node never tracks more than maxSeriesPerNode series', () => {
    const detector = createDetector({ maxSeriesPerNode: 10 });
    nodeBatches({ node: 'worker-5', points: 5 }).forEach((batch, position) => detector.process(batch, position));
    const stats = detector.stats();
    expect(stats.series).toBe(10);
    expect(stats.refusedSeries).toBeGreaterThan(0);
  });

  test('a series its source stops carrying is forgotten, and so is a source that went quiet', () => {
    const detector = createDetector({ staleAfterMs: 5 * 60_000 });
    // A judged series (load15) that the meminfo batches carry only for the first ten points.
    const withField = nodeBatches({ node: 'worker-6', points: 20, transientField: { name: 'node_load15', from: 0, to: 10 } });
    withField.forEach((batch, position) => detector.process(batch, position));
    const meminfoSeries = 1; // MemAvailable (load15 has gone; series without an expert rule are not judged)
    const vmstatSeries = 3; // the reclaim counters, not nr_free_pages nor other events
    const statSeries = 4 * 3 + 1; // user, system, iowait per CPU; procs_running
    const pressureSeries = 2;
    expect(detector.stats().series).toBe(meminfoSeries + vmstatSeries + statSeries + pressureSeries);

    // Only meminfo keeps coming: the other sources go stale and their series are forgotten.
    const later = nodeBatches({ node: 'worker-6', points: 40, startMs: withField.at(-1)!.timestampMs + 15_000, sources: ['proc.meminfo'] });
    later.forEach((batch, position) => detector.process(batch, withField.length + position));
    expect(detector.stats().series).toBe(meminfoSeries);
  });
});

describe('a Prometheus remote_write feed', () => {
  /** The node's batches as remote_write sends them: one source, each scrape in two requests of half its samples. */
  const inParts = (batches: MetricBatch[]): MetricBatch[] => batches.flatMap((batch) => [0, 1].map((part) => ({
    ...batch, id: `${batch.id}/${part}`, source: 'remote_write.node', samples: batch.samples.filter((_, i) => i % 2 === part),
  })));

  test('a scrape sent in parts keeps every series: the MemAvailable drop opens as from whole scrapes', () => {
    const drop = [0, 0.7, 1.4, 2, 2, 2, 2, 2];
    const batches = nodeBatches({ node: 'worker-40', points: 80, availableBytes: (p) => 18 * GiB - (p >= 40 && p < 48 ? drop[p - 40]! * GiB : 0) });
    const whole = run(batches).anomalies.filter((a) => memAvailable(a) && a.state === 'OPEN');
    const parts = run(inParts(batches)).anomalies.filter((a) => memAvailable(a));
    expect(whole).toHaveLength(1);
    expect(parts.filter((a) => a.state === 'OPEN').map((a) => [a.id, a.kind])).toEqual([[whole[0]!.id, 'DIP']]);
    expect(parts.some((a) => a.state === 'RESOLVED' && a.observedAtMs < batches[48]!.timestampMs)).toBe(false);
  });

  test('a series the feed stops sending is forgotten once it has had no sample for staleAfterMs', () => {
    const detector = createDetector({ staleAfterMs: 5 * 60_000 });
    const batches = inParts(nodeBatches({ node: 'worker-41', points: 60, transientField: { name: 'node_load15', from: 0, to: 10 } }));
    const startMs = batches[0]!.timestampMs;
    let position = 0;
    const seriesAfter = (points: number): number => {
      for (; position < batches.length && batches[position]!.timestampMs < startMs + points * 15_000; position++) detector.process(batches[position]!, position);
      return detector.stats().series;
    };
    const withLoad15 = seriesAfter(12);
    // Its last sample is at point 9: kept 5 minutes (20 points) after it, gone after that.
    expect(seriesAfter(29)).toBe(withLoad15);
    expect(seriesAfter(31)).toBe(withLoad15 - 1);
  });
});

describe('escalation', () => {
  test('a memory dip that opens mild and turns CRITICAL asks for a second diagnosis, once', () => {
    // 300 MiB below normal first (a process starting), then a steady 40 MiB/s leak on top.
    const availableBytes = (p: number) => 20 * GiB - (p >= 40 ? 300 * MiB : 0) - (p >= 42 ? (p - 42) * 600 * MiB : 0);
    const { anomalies, requests } = run(nodeBatches({ node: 'worker-8', points: 60, availableNoiseBytes: 64 * MiB, availableBytes }));
    const opened = anomalies.filter((a) => memAvailable(a) && a.state === 'OPEN');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.severity).not.toBe('CRITICAL');
    expect(anomalies.some((a) => a.id === opened[0]!.id && a.state === 'UPDATE' && a.severity === 'CRITICAL')).toBe(true);
    expect(requests.map((r) => r.id)).toEqual([deterministicId(opened[0]!.id, 'MEMORY'), deterministicId(opened[0]!.id, 'MEMORY', 'ESCALATED')]);
    expect(requests[1]!.requestedAtMs).toBeGreaterThan(requests[0]!.requestedAtMs);
  });
});

describe('real scrape order', () => {
  test('a detector whose first batch is proc.stat (counters only) judges MemAvailable as soon as the engine has warmed up', () => {
    const sources = ['proc.stat', 'proc.meminfo', 'proc.vmstat', 'proc.pressure', 'proc.processes'];
    // The engine's models score from a series' 25th point (warmUpPoints).
    const availableBytes = (p: number) => 20 * GiB - (p >= 26 ? 2 * GiB : 0);
    const { anomalies } = run(nodeBatches({ node: 'worker-9', points: 36, sources, availableBytes }));
    expect(anomalies.filter((a) => memAvailable(a) && a.state === 'OPEN')).toHaveLength(1);
  });
});

describe('trend', () => {
  test('a steady leak hidden from the z-score by a noisy window opens a TREND and asks for a diagnosis', () => {
    // ±1 GiB of noise in the first 30 points, then calm, then a 40 MiB-per-point fall from point 40.
    const availableBytes = (p: number) => 20 * GiB + (p < 30 ? (p % 2 ? 1 : -1) * GiB : 0) - (p >= 40 ? (p - 40) * 40 * MiB : 0);
    const { anomalies, requests } = run(nodeBatches({ node: 'worker-10', points: 60, availableBytes }));
    const opened = anomalies.filter((a) => memAvailable(a) && a.state === 'OPEN');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.kind).toBe('TREND');
    expect(opened[0]!.models).toContain('trend');
    expect(requests.map((r) => r.anomalyIds)).toContainEqual([opened[0]!.id]);
  });
});

describe('k of n', () => {
  test('a one-point MemAvailable dip of 2 GiB does not open; the same dip held three points does', () => {
    const oneDip = run(nodeBatches({ node: 'worker-11', points: 60, availableBytes: (p) => 18 * GiB - (p === 40 ? 2 * GiB : 0) }));
    expect(oneDip.anomalies).toEqual([]);
    const threeDips = run(nodeBatches({ node: 'worker-11', points: 60, availableBytes: (p) => 18 * GiB - (p >= 40 && p < 43 ? 2 * GiB : 0) }));
    expect(threeDips.anomalies.filter((a) => a.state === 'OPEN').map((a) => a.metric)).toEqual(['node_memory_MemAvailable_bytes']);
  });
});

describe('a cgroup near its memory limit (pod labels from the collector)', () => {
  const stepMs = 10_000;
  const opened = (share: (p: number) => number) => run(cgroupNodeBatches({ node: 'worker-20', points: 60, stepMs, workingSetShare: share }));

  test('96 % of the limit for 70 s opens one CRITICAL THRESHOLD on the pod, asking for a MEMORY diagnosis', () => {
    const { anomalies, requests } = opened((p) => (p >= 30 && p < 38 ? 0.96 : 0.6));
    const open = anomalies.filter((a) => a.state === 'OPEN');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      metric: 'cgroup_memory_working_set_bytes',
      kind: 'THRESHOLD',
      severity: 'CRITICAL',
      models: ['expert:memory-limit'],
      entity: { cluster: 'prod-eu', node: 'worker-20', namespace: podLabels.namespace, pod: podLabels.pod, container: podLabels.container },
      labels: { cgroup: containerCgroup },
    });
    // Crossed at point 30, held for the rule's minute at point 36; it began at 30.
    const start = Date.UTC(2026, 10, 24, 9, 0, 0);
    expect(open[0]!.openedAtMs).toBe(start + 30 * stepMs);
    expect(open[0]!.observedAtMs).toBe(start + 36 * stepMs);
    expect(open[0]!.score).toBeCloseTo(0.96 / 0.95, 3);
    expect(open[0]!.expectedHigh).toBeCloseTo(0.95 * 2048 * MiB, -3);
    expect(anomalies.filter((a) => a.state === 'RESOLVED')).toHaveLength(1);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ scenario: 'MEMORY', entity: open[0]!.entity, anomalyIds: [open[0]!.id] });
    const scene = requests[0]!.scene;
    expect(scene.some((s) => s.name === 'cgroup_memory_limit_bytes' && s.labels['cgroup'] === containerCgroup)).toBe(true);
    expect(scene.some((s) => s.name === 'process_rss_bytes' && s.labels['comm'] === 'java')).toBe(true);
    expect(scene.some((s) => s.name === 'node_pressure_memory_waiting_avg10_ratio')).toBe(true);
    expect(scene.some((s) => s.name === 'cgroup_pressure_memory_waiting_avg10_ratio')).toBe(true);
  });

  test('96 % for 30 s opens nothing', () => {
    expect(opened((p) => (p >= 30 && p < 34 ? 0.96 : 0.6)).anomalies).toEqual([]);
  });

  test('hovering at the limit (93 % for 30 s, 96 % for 70 s, again and again) opens once and resolves once, after it falls below 90.25 %', () => {
    const hover = (p: number) => (p < 20 ? 0.6 : p < 80 ? ((p - 20) % 10 < 3 ? 0.93 : 0.96) : 0.6);
    const { anomalies } = run(cgroupNodeBatches({ node: 'worker-21', points: 100, stepMs, workingSetShare: hover }));
    expect(anomalies.map((a) => a.state).filter((s) => s !== 'UPDATE')).toEqual(['OPEN', 'RESOLVED']);
    const start = Date.UTC(2026, 10, 24, 9, 0, 0);
    expect(anomalies.at(-1)!.observedAtMs).toBe(start + 82 * stepMs);
    // Without hysteresis (clear at the limit) the same signal opens and resolves again and again.
    const rules = parseRuleFile(`rules:
  - name: memory-limit
    metric: cgroup_memory_working_set_bytes
    statistical: false
    threshold: { above: 95%, clear: 95%, ratioTo: cgroup_memory_limit_bytes, for: 1m }
  - { name: cgroup-other, metric: "cgroup_*", statistical: false }
  - { name: other, metric: "*", statistical: false }
`, 'test');
    const flapping = run(cgroupNodeBatches({ node: 'worker-21', points: 100, stepMs, workingSetShare: hover }), { rules });
    expect(flapping.anomalies.filter((a) => a.state === 'OPEN').length).toBeGreaterThan(2);
  });

  test('throttled in 60 % of CFS periods for over a minute opens a CPU_THROTTLE request: a ratio of two counters\' rates', () => {
    const { anomalies, requests } = run(cgroupNodeBatches({ node: 'worker-22', points: 40, stepMs, throttledShare: (p) => (p >= 20 ? 0.6 : 0.02) }));
    const open = anomalies.filter((a) => a.state === 'OPEN');
    expect(open.map((a) => [a.metric, a.kind, a.severity])).toEqual([['cgroup_cpu_throttled_periods_total', 'THRESHOLD', 'WARNING']]);
    expect(open[0]!.score).toBeCloseTo(0.6 / 0.5, 2);
    expect(requests.map((r) => r.scenario)).toEqual(['CPU_THROTTLE']);
    // The window of a counter carries its rates.
    const window = requests[0]!.scene.filter((s) => s.labels[windowLabel] === 'rate');
    expect(window.at(-1)!.value).toBeCloseTo(6, 6); // 60 throttled periods in 10 s
  });
});

describe('time to exhaustion', () => {
  test('a pod whose working set climbs steadily towards memory.max opens a TREND from the engine\'s forecast long before the 95 % threshold', () => {
    // From 40 % of the limit, reaching it at point 2,200 (95 % at point 2,017); 10 s steps.
    const rules = parseRuleFile(`rules:
  - name: memory-limit
    metric: cgroup_memory_working_set_bytes
    directions: [SPIKE]
    threshold: { above: 95%, ratioTo: cgroup_memory_limit_bytes, for: 1m, severity: CRITICAL }
    scenario: MEMORY
  - { name: cgroup-other, metric: "cgroup_*", statistical: false }
  - { name: other, metric: "*", statistical: false }
`, 'test');
    const climb = (p: number) => 0.4 + (0.6 * p) / 2200 + 0.002 * Math.sin(p);
    const { anomalies } = run(cgroupNodeBatches({ node: 'worker-23', points: 1300, workingSetShare: climb }), { rules });
    const opened = anomalies.filter((a) => a.state === 'OPEN' && a.metric === 'cgroup_memory_working_set_bytes');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ kind: 'TREND', entity: { pod: podLabels.pod } });
    expect(opened[0]!.models).toContain('trend');
    expect(opened[0]!.value / (2048 * MiB)).toBeLessThan(0.8);
  });
});

describe('kernel events', () => {
  // The recorded 6.18 memcg OOM kill (pid 1039, python3, CONSTRAINT_MEMCG), through the collector's own parsers.
  const bootTimeMs = Date.UTC(2026, 10, 24, 6, 0, 0);
  const oomSamples = kernelEventSamples(kernelEventsOf(parseDmesg(readFixture('kernel', 'captured', 'oom', 'dmesg.txt')), { report: () => {} }), { ...zeroEventCounts(), oom_kill: 1 }, bootTimeMs);
  const eventAtMs = bootTimeMs + 7495758;
  const countsOnly = kernelEventSamples([], { ...zeroEventCounts(), oom_kill: 1 });
  const kernelBatch = (timestampMs: number, samples: Sample[]): MetricBatch => ({ id: `k${timestampMs}`, cluster: 'prod-eu', node: 'worker-30', source: 'kernel.events', timestampMs, samples });

  test('an OOM kill opens one CRITICAL EVENT anomaly and one OOM request, even when the sample repeats; it resolves after 5 minutes', () => {
    const t0 = eventAtMs + 2_000;
    const batches = [kernelBatch(t0, oomSamples), kernelBatch(t0 + 10_000, oomSamples), ...Array.from({ length: 40 }, (_, i) => kernelBatch(t0 + 20_000 + i * 10_000, countsOnly))];
    const detector = createDetector();
    const out: Run = { anomalies: [], requests: [] };
    batches.forEach((batch, position) => {
      const result = detector.process(batch, position);
      out.anomalies.push(...result.anomalies);
      out.requests.push(...result.requests);
    });
    expect(out.anomalies.map((a) => a.state)).toEqual(['OPEN', 'RESOLVED']);
    const [open, resolved] = out.anomalies;
    expect(open).toMatchObject({
      metric: 'kernel_oom_kill',
      kind: 'EVENT',
      severity: 'CRITICAL',
      labels: { pid: '1039', comm: 'python3', constraint: 'CONSTRAINT_MEMCG', memcg: '/vigil-oom', task_memcg: '/vigil-oom' },
      value: 65152 * 1024,
      models: ['expert:kernel-oom-kill'],
      openedAtMs: eventAtMs,
      observedAtMs: eventAtMs,
      entity: { node: 'worker-30', pod: null },
    });
    expect(open!.id).toBe(deterministicId(open!.series, 'prod-eu/worker-30', eventAtMs));
    expect(resolved).toMatchObject({ id: open!.id, observedAtMs: eventAtMs + 5 * 60_000 });
    expect(out.requests).toHaveLength(1);
    expect(out.requests[0]).toMatchObject({ scenario: 'OOM', anomalyIds: [open!.id], metric: 'kernel_oom_kill' });
    expect(out.requests[0]!.scene.some((s) => s.name === 'kernel_oom_kill_memcg_limit_bytes')).toBe(true);
    expect(detector.stats()).toMatchObject({ events: 1, repeatedEvents: 1, openAnomalies: 0, unknownSamples: 0 });
  });

  test('the victim\'s memory cgroup names the pod when the collector attributed that cgroup', () => {
    const t0 = eventAtMs + 2_000;
    const cgroupLabels = { namespace: 'batch', pod: 'trainer-0', container: 'python', cgroup: '/vigil-oom' };
    const cgroupBatch: MetricBatch = { id: 'c', cluster: 'prod-eu', node: 'worker-31', source: 'cgroup.memory', timestampMs: t0 - 5_000, samples: [{ name: 'cgroup_memory_working_set_bytes', labels: cgroupLabels, value: 64 * MiB }] };
    const detector = createDetector();
    detector.process(cgroupBatch, 0);
    const { anomalies, requests } = detector.process({ ...kernelBatch(t0, oomSamples), node: 'worker-31' }, 1);
    expect(anomalies[0]!.entity).toEqual({ cluster: 'prod-eu', node: 'worker-31', namespace: 'batch', pod: 'trainer-0', container: 'python' });
    expect(requests[0]!.entity).toEqual(anomalies[0]!.entity);
    expect(requests[0]!.scene.some((s) => s.name === 'cgroup_memory_working_set_bytes' && s.labels['pod'] === 'trainer-0')).toBe(true);
  });
});

test('bad input is skipped and counted, never thrown', () => {
  const detector = createDetector();
  const t0 = Date.UTC(2026, 10, 24, 7, 0, 0);
  const batch = (timestampMs: number, samples: Sample[]): MetricBatch => ({ id: String(timestampMs), cluster: 'prod-eu', node: 'worker-40', source: 'proc.meminfo', timestampMs, samples });
  const good = (value: number): Sample => ({ name: 'node_memory_MemAvailable_bytes', labels: {}, value });
  expect(() => {
    detector.process(batch(t0, [good(18 * GiB), good(17 * GiB), { name: 'node_memory_MemTotal_bytes', labels: {}, value: Number.NaN }, { name: 'node_vmstat_pgfault', labels: {}, value: -5 }, { name: 'node_forks_total', labels: {}, value: Number.POSITIVE_INFINITY }, { name: 'up', labels: { job: 'x' }, value: 1 }, { name: '', labels: {}, value: 1 }]), 0);
    detector.process(batch(t0 + 15_000, [good(18 * GiB)]), 1);
    detector.process(batch(t0 + 15_000, [good(18 * GiB)]), 2); // duplicate timestamp
    detector.process(batch(t0 + 5_000, [good(18 * GiB)]), 3); // out of order
  }).not.toThrow();
  expect(detector.stats()).toMatchObject({ duplicateSamples: 1, nonFiniteSamples: 2, negativeCounterSamples: 1, unknownSamples: 1, invalidSamples: 1, outOfOrderSamples: 2, series: 1 });
});
