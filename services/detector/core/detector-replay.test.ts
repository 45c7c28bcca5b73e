/**
 * The restart contract of retainFrom(): a detector that replays the stream from another's
 * retainFrom() emits, for every later position, exactly what the other emitted, and during the
 * replay never emits an event the other did not (so downstream dedup by id hides the restart).
 */
import { describe, expect, test } from 'vitest';
import type { MetricBatch } from '../../../src/codec/records.generated.js';
import { createDetector, type DetectorOutput } from './detector.js';
import { kernelEventsOf } from '../../collector/kernel/kernel-events.js';
import { kernelEventSamples, zeroEventCounts } from '../../collector/kernel/kernel-samples.js';
import { parseDmesg } from '../../collector/kernel/parse-dmesg.js';
import { readFixture } from '../../collector/testing/fixtures.js';
import { cgroupNodeBatches } from './testdata/cgroup-node.js';
import { GiB, interleave, nodeBatches } from './testdata/synthetic-node.js';

const dips = (ranges: [number, number, number][]) => (point: number) => 18 * GiB - (ranges.find(([from, to]) => point >= from && point < to)?.[2] ?? 0) * GiB;

const startMs = Date.UTC(2026, 10, 24, 7, 0, 0);
const bootTimeMs = startMs - 3_600_000;
/** worker-4's kernel log: the recorded OOM kill (pid 1039) at point 30, published twice, and a hung task at point 60. */
const oomSamples = kernelEventSamples(kernelEventsOf(parseDmesg(readFixture('kernel', 'captured', 'oom', 'dmesg.txt')), { report: () => {} }), { ...zeroEventCounts(), oom_kill: 1 }, bootTimeMs);
const kernelBatches: MetricBatch[] = Array.from({ length: 160 }, (_, point) => {
  const timestampMs = startMs + point * 15_000 + 1;
  const events = point === 30 || point === 31 ? oomSamples.map((sample) => (sample.name.endsWith('_timestamp_seconds') ? { ...sample, value: (startMs + 30 * 15_000 - 500) / 1000 } : sample))
    : point === 60 ? kernelEventSamples([{ kind: 'hung_task', pid: 77, comm: 'jbd2/sda1-8', blockedSeconds: 122, inIoWait: true }], { ...zeroEventCounts(), oom_kill: 1, hung_task: 1 }, undefined)
    : kernelEventSamples([], { ...zeroEventCounts(), oom_kill: point > 30 ? 1 : 0, hung_task: point > 60 ? 1 : 0 });
  return { id: `kernel-${point}`, cluster: 'prod-eu', node: 'worker-4', source: 'kernel.events', timestampMs, samples: events };
});

const stream: MetricBatch[] = interleave(
  nodeBatches({ node: 'worker-1', points: 160, availableBytes: dips([[35, 42, 2], [70, 95, 3], [120, 124, 17.3]]), vmstatResetAt: 60 }),
  nodeBatches({ node: 'worker-2', points: 160, availableBytes: dips([[50, 53, 2.5], [100, 130, 4]]), cpuBusy: (p) => (p >= 80 && p < 86 ? 0.9 : 0.12) }),
  nodeBatches({ node: 'worker-3', points: 160, sources: ['proc.meminfo', 'proc.processes'], availableBytes: dips([[20, 60, 1]]), transientField: { name: 'node_memory_AnonHugePages_bytes', from: 30, to: 110 } }),
  // A pod near its memory limit twice (the second within the rate limit), throttled later; and kernel events.
  cgroupNodeBatches({ node: 'worker-4', points: 160, startMs, stepMs: 15_000, workingSetShare: (p) => (p >= 40 && p < 50) || (p >= 56 && p < 64) ? 0.97 : 0.6, throttledShare: (p) => (p >= 100 && p < 120 ? 0.7 : 0.02) }),
  kernelBatches,
);

interface Reference {
  outputs: DetectorOutput[];
  retainFrom: (number | undefined)[];
}

function reference(batches: MetricBatch[], from = 0): Reference {
  const detector = createDetector();
  const outputs: DetectorOutput[] = [];
  const retainFrom: (number | undefined)[] = [];
  for (let position = from; position < batches.length; position++) {
    outputs[position] = detector.process(batches[position]!, position);
    retainFrom[position] = detector.retainFrom();
  }
  return { outputs, retainFrom };
}

const a = reference(stream);
const eventIds = (outputs: DetectorOutput[]) => new Set(outputs.flatMap((o) => o?.anomalies.map((x) => x.eventId) ?? []));
const requestIds = (outputs: DetectorOutput[]) => new Set(outputs.flatMap((o) => o?.requests.map((x) => x.id) ?? []));
const allEvents = eventIds(a.outputs);
const allRequests = requestIds(a.outputs);

describe('replay from retainFrom()', () => {
  test('the stream has anomalies on several nodes and kinds, so the property is not vacuous', () => {
    const all = a.outputs.flatMap((o) => o.anomalies);
    expect(new Set(all.map((x) => x.entity.node))).toEqual(new Set(['worker-1', 'worker-2', 'worker-3', 'worker-4']));
    expect(new Set(all.map((x) => x.kind))).toEqual(new Set(['DIP', 'THRESHOLD', 'SPIKE', 'EVENT']));
    expect(new Set(all.filter((x) => x.entity.pod !== null).map((x) => x.metric))).toEqual(new Set(['cgroup_memory_working_set_bytes', 'cgroup_cpu_throttled_periods_total']));
    expect(all.filter((x) => x.kind === 'EVENT' && x.state === 'OPEN').map((x) => x.metric)).toEqual(['kernel_oom_kill', 'kernel_hung_task']);
    const requests = a.outputs.flatMap((o) => o.requests);
    expect(requests.filter((r) => r.scenario === 'MEMORY' && r.entity.pod !== null)).toHaveLength(1); // the second crossing was rate-limited
    expect(new Set(requests.map((r) => r.scenario))).toEqual(new Set(['MEMORY', 'LOAD', 'OOM', 'IO', 'CPU_THROTTLE']));
    expect(new Set(all.map((x) => x.state))).toEqual(new Set(['OPEN', 'UPDATE', 'RESOLVED']));
  });

  const cuts = Array.from({ length: Math.floor(stream.length / 7) }, (_, i) => i * 7 + 3);
  test.each(cuts)('cut after position %i', (cut) => {
    const p = a.retainFrom[cut]!;
    expect(p).toBeLessThanOrEqual(cut);
    const b = createDetector();
    for (let position = p; position < stream.length; position++) {
      const out = b.process(stream[position]!, position);
      if (position > cut) {
        // Anomalies and requests are exact; series.classified is not: the engine that classifies
        // remembers days of points, more than a takeover replays (see SeriesState.scorer).
        const { anomalies, requests } = a.outputs[position]!;
        expect({ anomalies: out.anomalies, requests: out.requests }, `position ${position}, replayed from ${p}`).toEqual({ anomalies, requests });
      } else {
        for (const anomaly of out.anomalies) expect(allEvents.has(anomaly.eventId)).toBe(true);
        for (const request of out.requests) expect(allRequests.has(request.id)).toBe(true);
      }
    }
  });

  test('retainFrom never moves back and, once anomalies resolve and events are forgotten, trails by about one window', () => {
    const positions = a.retainFrom.map((p) => p!);
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThanOrEqual(positions[i - 1]!);
    const batchesPerPoint = stream.length / 160;
    const windowAndProof = 30 + 5 + 1; // windowSize + max(resolveAfter 3, openWindow 5) quiet points, and the counter reading before them
    expect(stream.length - 1 - positions.at(-1)!).toBeLessThanOrEqual(windowAndProof * batchesPerPoint);
  });

  test('a restart of a restart: the third detector still matches the first', () => {
    let replayed = 0;
    for (const [cut1, cut2] of [[200, 330], [262, 480], [301, 302], [400, 560]] as const) {
      const p1 = a.retainFrom[cut1]!;
      const b = createDetector();
      let p2: number | undefined;
      for (let position = p1; position <= cut2; position++) {
        b.process(stream[position]!, position);
        if (position === cut2) p2 = b.retainFrom();
      }
      const c = createDetector();
      for (let position = p2!; position < stream.length; position++) {
        const out = c.process(stream[position]!, position);
        if (position > cut2) expect(out).toEqual(a.outputs[position]);
        else {
          for (const anomaly of out.anomalies) expect(allEvents.has(anomaly.eventId)).toBe(true);
          replayed += out.anomalies.length;
        }
      }
    }
    expect(replayed).toBeGreaterThan(0);
  });

  test('some replays re-emit records the first detector had already emitted (they are duplicates downstream)', () => {
    let duplicates = 0;
    for (const cut of cuts) {
      const b = createDetector();
      for (let position = a.retainFrom[cut]!; position <= cut; position++) duplicates += b.process(stream[position]!, position).anomalies.length;
    }
    expect(duplicates).toBeGreaterThan(0);
  });
});

test('a detector that starts mid-stream judges silently until it has proven each series, then matches', () => {
  const start = 500;
  const late = reference(stream, start);
  const laterEvents = eventIds(late.outputs);
  for (const id of laterEvents) expect(allEvents.has(id)).toBe(true);
  const positionsMatching = late.outputs.map((o, position) => (o && JSON.stringify(o) === JSON.stringify(a.outputs[position]) ? position : undefined));
  expect(positionsMatching.at(-1)).toBe(stream.length - 1);
});
