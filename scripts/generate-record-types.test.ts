import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentSchemaFiles, generateRecordTypes, generatedRecordTypesFile } from './generate-record-types.js';

describe('generate-record-types', () => {
  it('src/codec/records.generated.ts is up to date with schemas/*.avsc', () => {
    const committed = readFileSync(generatedRecordTypesFile, 'utf8');
    const fresh = generateRecordTypes(currentSchemaFiles());
    expect(committed === fresh, 'src/codec/records.generated.ts is stale: run `npm run generate` and commit the result').toBe(true);
  });

  it('declares every record and enum of every schema once, with its doc', () => {
    const generated = generateRecordTypes(currentSchemaFiles());
    for (const name of ['MetricBatch', 'Sample', 'Anomaly', 'Entity', 'DiagnosisReport', 'HealthUpdate', 'Notification', 'ClassifiedSeries', 'DeadLetter']) {
      expect(generated.match(new RegExp(`export interface ${name} \\{`, 'g'))).toHaveLength(1);
    }
    expect(generated).toContain("export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';");
    expect(generated).toContain('  /** Labels that tell series of one metric apart, e.g. {pid, comm} for a process. */\n  labels: Record<string, string>;');
  });
});
