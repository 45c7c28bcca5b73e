/**
 * The takeover contract of snapshot(): a detector restored from another's snapshot taken after
 * position P, fed the stream from P + 1 on, emits for every later position exactly what the other
 * emitted — anomalies, requests and series.classified — with the engine deciding anomalies.
 */
import { describe, expect, test } from 'vitest';
import type { MetricBatch } from '../../../src/codec/records.generated.js';
import { createDetector, restoreDetector, type DetectorOutput } from './detector.js';
import { decodeDetectorState } from './detector-state.js';
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
  nodeBatches({ node: 'worker-3', points: 160, sources: ['proc.meminfo', 'proc.processes'], availableBytes: dips([[30, 70, 1]]), transientField: { name: 'node_memory_AnonHugePages_bytes', from: 30, to: 110 } }),
  // A pod near its memory limit twice (the second within the rate limit), throttled later; and kernel events.
  cgroupNodeBatches({ node: 'worker-4', points: 160, startMs, stepMs: 15_000, workingSetShare: (p) => (p >= 40 && p < 50) || (p >= 56 && p < 64) ? 0.97 : 0.6, throttledShare: (p) => (p >= 100 && p < 120 ? 0.7 : 0.02) }),
  kernelBatches,
);

interface Reference {
  outputs: DetectorOutput[];
  /** snapshots[p]: the state after position p (taken at the cut positions only). */
  snapshots: Map<number, Buffer>;
}

/** Every 53rd position, so cuts land in every phase of the nodes' dips, events and rate limits. */
const cuts = Array.from({ length: Math.floor(stream.length / 53) }, (_, i) => i * 53 + 3);

function reference(batches: MetricBatch[]): Reference {
  const detector = createDetector();
  const outputs: DetectorOutput[] = [];
  const snapshots = new Map<number, Buffer>();
  for (let position = 0; position < batches.length; position++) {
    outputs[position] = detector.process(batches[position]!, position);
    if (cuts.includes(position)) snapshots.set(position, detector.snapshot());
  }
  return { outputs, snapshots };
}

const a = reference(stream);

describe('restore from snapshot()', () => {
  test('the stream has anomalies on several nodes and kinds, so the property is not vacuous', () => {
    const all = a.outputs.flatMap((o) => o.anomalies);
    expect(new Set(all.map((x) => x.entity.node))).toEqual(new Set(['worker-1', 'worker-2', 'worker-3', 'worker-4']));
    expect(new Set(all.map((x) => x.kind))).toEqual(new Set(['DIP', 'THRESHOLD', 'SPIKE', 'EVENT']));
    expect(new Set(all.filter((x) => x.entity.pod !== null).map((x) => x.metric))).toEqual(new Set(['cgroup_memory_working_set_bytes', 'cgroup_cpu_throttled_periods_total']));
    expect(all.filter((x) => x.kind === 'EVENT' && x.state === 'OPEN').map((x) => x.metric)).toEqual(['kernel_oom_kill', 'kernel_hung_task']);
    expect(all.some((x) => x.models.includes('robust-zscore'))).toBe(true);
    const requests = a.outputs.flatMap((o) => o.requests);
    expect(requests.filter((r) => r.scenario === 'MEMORY' && r.entity.pod !== null)).toHaveLength(1); // the second crossing was rate-limited
    expect(new Set(requests.map((r) => r.scenario))).toEqual(new Set(['MEMORY', 'LOAD', 'OOM', 'IO', 'CPU_THROTTLE']));
    expect(new Set(all.map((x) => x.state))).toEqual(new Set(['OPEN', 'UPDATE', 'RESOLVED']));
    expect(a.outputs.flatMap((o) => o.classified).length).toBeGreaterThan(0);
  });

  test.each(cuts)('cut after position %i', (cut) => {
    const b = restoreDetector(a.snapshots.get(cut)!);
    for (let position = cut + 1; position < stream.length; position++) {
      expect(b.process(stream[position]!, position), `position ${position}, restored after ${cut}`).toEqual(a.outputs[position]);
    }
  });

  test('a restore of a restore: the third detector still matches the first', () => {
    for (const [cut1, cut2] of [[215, 321], [268, 480], [321, 322], [427, 586]] as const) {
      const b = restoreDetector(a.snapshots.get(cut1)!);
      for (let position = cut1 + 1; position <= cut2; position++) b.process(stream[position]!, position);
      const c = restoreDetector(b.snapshot());
      for (let position = cut2 + 1; position < stream.length; position++) expect(c.process(stream[position]!, position)).toEqual(a.outputs[position]);
    }
  });

  test('a snapshot restored and taken again is the same state', () => {
    const snapshot = a.snapshots.get(cuts.at(-1)!)!;
    expect(decodeDetectorState(restoreDetector(snapshot).snapshot())).toEqual(decodeDetectorState(snapshot));
  });

  test('a snapshot of another format is refused with a reason', () => {
    expect(() => restoreDetector(Buffer.from([9, 1, 2, 3]))).toThrow(/version 9/);
  });
});
