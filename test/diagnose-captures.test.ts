/**
 * `vigil diagnose <capture> --json` on the scenarios reproduced on a real machine and recorded with
 * `vigil capture` (test/fixtures/captures, README there): the top root cause and the culprit that
 * was really running (pid, cgroup, setting — from <name>.expected.json, written by record.sh). Runs
 * the real binary when src/cli/vigil.ts registers the diagnoser's commands, else the command's core
 * function (the same code path behind the CLI).
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { DiagnosisReport } from '../src/codec/records.generated.js';
import { repoRoot, spawnVigil } from './support/vigil-process.js';

const captures = join(repoRoot, 'test/fixtures/captures');

interface Expected {
  cause: string;
  alsoAccepted?: string[];
  /** A pid, a cgroup name or a sysctl the top report must name; null when the capture cannot show one. */
  culprit: string | null;
}

async function diagnoseJson(directory: string): Promise<DiagnosisReport[]> {
  const vigil = spawnVigil(['diagnose', directory, '--json'], { VIGIL_LOG_LEVEL: 'warn' });
  const [code] = await Promise.all([vigil.exited(), once(vigil.child, 'close')]);
  expect(code, vigil.stderr.join('\n')).toBe(0);
  return JSON.parse(vigil.stdout.join('\n')) as DiagnosisReport[];
}

/** Where a report names things: its summary, its facts' details and names, its suggestions. */
function namedIn(report: DiagnosisReport): string {
  return [
    report.rootCause.summary,
    ...report.evidence.flatMap((fact) => [fact.name, fact.detail ?? '']),
    ...report.suggestions.flatMap((suggestion) => [suggestion.action, suggestion.command ?? '', suggestion.setting ?? '']),
  ].join('\n');
}

const scenarios = ['healthy', 'memory-leak', 'fork-storm', 'writeback', 'cpu-throttle', 'listen-overflow'];

describe('vigil diagnose on recorded captures', () => {
  test.each(scenarios)('%s', async (name) => {
    const expected = JSON.parse(readFileSync(join(captures, `${name}.expected.json`), 'utf8')) as Expected;
    const reports = await diagnoseJson(join(captures, name));
    const top = reports[0];
    const ranked = reports.map((report) => `${report.rootCause.code} ${report.confidence.toFixed(2)}: ${report.rootCause.summary}`).join('\n');
    expect(top, 'no report').toBeDefined();
    expect([expected.cause, ...(expected.alsoAccepted ?? [])], `ranked:\n${ranked}`).toContain(top!.rootCause.code);
    if (expected.culprit !== null) {
      const culprit = new RegExp(`(^|[^\\w.-])${expected.culprit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`);
      expect(namedIn(top!), `the top report does not name ${expected.culprit}`).toMatch(culprit);
    }
    // Nothing the capture lacks may pass unsaid: it has no k8s/ (recorded without a cluster).
    expect(top!.missingEvidence.some((line) => line.includes('Kubernetes'))).toBe(true);
  }, 60_000);
});
