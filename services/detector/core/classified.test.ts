import { describe, expect, it } from 'vitest';
import type { ClassifiedSeries, MetricBatch } from '../../../src/codec/records.generated.js';
import { createDetector } from './detector.js';

const batch = (point: number, load: number): MetricBatch => ({
  id: `b${point}`, cluster: 'c', node: 'worker-1', source: 'proc.loadavg', timestampMs: 1_760_000_000_000 + point * 60_000,
  samples: [{ name: 'node_load1', labels: {}, value: load }],
});

describe('series.classified', () => {
  it("publishes a judged series' class once the engine has history, again when it changes, and not on every point", () => {
    const detector = createDetector({ classifyAfterPoints: 64, classifiedEveryPoints: 10_000 });
    const out: ClassifiedSeries[] = [];
    // A minute-by-minute load, steady with a little noise for 10 hours, then climbing steadily.
    for (let point = 0; point < 1200; point++) {
      const load = point < 600 ? 1 + ((point * 7919) % 13) / 100 : 1 + (point - 600) * 0.05 + ((point * 7919) % 13) / 100;
      out.push(...detector.process(batch(point, load), point).classified);
    }
    expect(out.length).toBeGreaterThanOrEqual(2);
    expect(out.length).toBeLessThan(20);
    expect(out[0]).toMatchObject({ metric: 'node_load1', series: 'node_load1{}', entity: { cluster: 'c', node: 'worker-1' }, class: 'STABLE' });
    expect(out[0]!.timestampMs).toBeGreaterThanOrEqual(1_760_000_000_000 + 63 * 60_000);
    expect(Object.values(out[0]!.features).some((feature) => feature !== 0)).toBe(true);
    expect(out.at(-1)!.class).toBe('TRENDING');
    expect(Object.values(out[0]!.features).every(Number.isFinite)).toBe(true);
    expect(new Set(out.map((record) => record.id)).size).toBe(out.length);
  });
});
