import { describe, expect, it } from 'vitest';
import type { MetricBatch } from '../../../src/codec/records.generated.js';
import { problemList } from '../core/problems.js';
import { parseExposition } from '../prometheus/parse-exposition.js';
import { toExposition } from './exposition.js';

describe('toExposition', () => {
  it('prints samples as exposition text that a Prometheus parser reads back, hostile label values included', () => {
    const batch: MetricBatch = {
      id: 'x', cluster: 'c', node: 'n', source: 'proc.processes', timestampMs: 1,
      samples: [
        { name: 'process_rss_bytes', labels: { pid: '7', comm: 'a"b\\c\nd} e="f"' }, value: 4096 },
        { name: 'node_load1', labels: {}, value: 0.21 },
        { name: 'odd', labels: {}, value: Number.NaN },
        { name: 'big', labels: {}, value: Number.POSITIVE_INFINITY },
      ],
    };
    const text = toExposition([batch]);
    expect(text.split('\n')[0]).toBe('# source proc.processes node=n cluster=c timestamp_ms=1');
    const problems = problemList();
    const parsed = parseExposition(text, problems);
    expect(problems.list).toEqual([]);
    expect(parsed.samples.map(({ name, labels, value }) => ({ name, labels, value }))).toEqual(batch.samples);
  });
});
