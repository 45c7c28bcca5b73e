/**
 * Records this machine as a diagnosis scene: two collector cycles over /proc and /sys, 5 s apart,
 * every sample stamped with its cycle's time — what the detector would put in a request's scene.
 * Run it on a quiet machine: `npx tsx services/diagnoser/rules/testdata/record-healthy-scene.ts OUT.json`.
 */
import { writeFileSync } from 'node:fs';
import type { SceneSample } from '../../../../src/codec/records.generated.js';
import { createCollector } from '../../../collector/collector.js';
import { createHostFiles } from '../../../collector/host-files.js';
import { defaultSources } from '../../../collector/sources/default-sources.js';

export async function recordScene(intervalMs = 5_000): Promise<SceneSample[]> {
  const collector = createCollector(createHostFiles({ procRoot: '/proc', sysRoot: '/sys' }), defaultSources({ topProcesses: 15 }));
  const scene: SceneSample[] = [];
  for (let cycle = 0; cycle < 2; cycle++) {
    if (cycle > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const nowMs = Date.now();
    const { batches } = await collector.collect(nowMs);
    for (const batch of batches) for (const sample of batch.samples) scene.push({ name: sample.name, labels: { ...sample.labels }, value: sample.value, timestampMs: nowMs });
  }
  return scene;
}

const out = process.argv[2];
if (out && import.meta.url === `file://${process.argv[1]}`) {
  void recordScene().then((scene) => writeFileSync(out, `${JSON.stringify(scene)}\n`));
}
