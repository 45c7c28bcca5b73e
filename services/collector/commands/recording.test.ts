import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricBatch } from '../../../src/codec/records.generated.js';
import { readRecording, replay } from './recording.js';

const batch = (source: string, timestampMs: number): MetricBatch => ({
  id: `${source}-${timestampMs}`, cluster: 'c', node: 'n', source, timestampMs, samples: [{ name: 'node_load1', labels: {}, value: timestampMs / 1000 }],
});

describe('readRecording', () => {
  it('reads JSON lines of batches in time order and counts the lines that are not batches', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'vigil-recording-'));
    try {
      const path = join(directory, 'scrapes.jsonl');
      const lines = [batch('proc.loadavg', 5_000), batch('proc.loadavg', 0), batch('proc.meminfo', 0)].map((b) => JSON.stringify(b));
      await writeFile(path, [lines[0], '', '{"partition":0,"offset":"3","error":"bad magic"}', 'not json', lines[1], lines[2]].join('\n'));
      const { batches, skipped } = await readRecording(path);
      expect(batches.map((b) => [b.source, b.timestampMs])).toEqual([['proc.loadavg', 0], ['proc.meminfo', 0], ['proc.loadavg', 5_000]]);
      expect(skipped).toBe(2);
      await expect(readRecording(join(directory, 'missing.jsonl'))).rejects.toMatchObject({ code: 'VIGIL_SOURCE', message: expect.stringContaining('missing.jsonl') });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('replay', () => {
  it('publishes batches of one timestamp together and waits the recorded gap divided by the speed', async () => {
    const published: string[][] = [];
    const waits: number[] = [];
    const count = await replay({
      batches: [batch('a', 0), batch('b', 0), batch('a', 10_000), batch('a', 40_000)],
      speed: 10,
      publish: async (group) => { published.push(group.map((b) => b.id)); },
      sleep: async (ms) => { waits.push(ms); },
    });
    expect(count).toBe(4);
    expect(published).toEqual([['a-0', 'b-0'], ['a-10000'], ['a-40000']]);
    expect(waits).toEqual([1_000, 3_000]);
  });

  it('does not wait at speed 0', async () => {
    const waits: number[] = [];
    await replay({ batches: [batch('a', 0), batch('a', 60_000)], speed: 0, publish: async () => undefined, sleep: async (ms) => { waits.push(ms); } });
    expect(waits).toEqual([]);
  });
});
