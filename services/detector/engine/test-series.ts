/** Synthetic and recorded series for the engine's tests (deterministic noise, 5-minute steps). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const stepMs = 300_000;
export const dayPoints = 288;

/** Uniform noise in [-1, 1] from a seeded xorshift. */
export function noiseSource(seed: number): () => number {
  let state = seed | 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff - 0.5) * 2;
  };
}

export function series(count: number, value: (i: number, noise: () => number) => number, seed = 1): number[] {
  const noise = noiseSource(seed);
  return Array.from({ length: count }, (_, i) => value(i, noise));
}

export interface LabeledSeries {
  timestampsMs: number[];
  values: number[];
  labels: number[];
}

export const kpiNames = ['cpu4', 'server_res_eth1out_curve_6', 'server_res_eth1out_curve_61'] as const;

/** One of test/fixtures/kpi (NetManAIOps/donut sample data). */
export function loadKpi(name: (typeof kpiNames)[number]): LabeledSeries {
  const path = fileURLToPath(new URL(`../../../test/fixtures/kpi/${name}.csv`, import.meta.url));
  const rows = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const out: LabeledSeries = { timestampsMs: [], values: [], labels: [] };
  for (const row of rows) {
    const [t, v, l] = row.split(',');
    out.timestampsMs.push(Number(t) * 1000);
    out.values.push(Number(v));
    out.labels.push(Number(l));
  }
  return out;
}

/** [start, end) of each run of label 1. */
export function labeledSegments(labels: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < labels.length; ) {
    if (!labels[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < labels.length && labels[j]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}
