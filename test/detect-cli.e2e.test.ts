/** `vigil detect` as a user runs it: the real binary on a real labeled KPI. */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, spawnVigil } from './support/vigil-process.js';

const cpu4 = join(repoRoot, 'test/fixtures/kpi/cpu4.csv');
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'vigil-detect-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number | string; stdout: string[]; stderr: string[] }> {
  const vigil = spawnVigil(args, { VIGIL_LOG_LEVEL: 'warn' });
  // 'close' comes after both pipes have been read to the end, so every line is in.
  const [code] = await Promise.all([vigil.exited(), once(vigil.child, 'close')]);
  return { code, stdout: vigil.stdout, stderr: vigil.stderr };
}

const scoreOf = (line: string): number => Number(line.slice(line.lastIndexOf(',') + 1));

describe('vigil detect', () => {
  it('prints cpu4.csv row for row with an anomaly_score in [0, 1]', async () => {
    const input = (await readFile(cpu4, 'utf8')).split('\n').filter(Boolean);
    const { code, stdout, stderr } = await run(['detect', 'test/fixtures/kpi/cpu4.csv']);
    expect(stderr.filter((line) => line.startsWith('vigil'))).toEqual([]);
    expect(code).toBe(0);
    expect(stdout).toHaveLength(input.length);
    expect(stdout[0]).toBe('timestamp,value,label,anomaly_score');
    for (let i = 1; i < input.length; i++) {
      expect(stdout[i]!.startsWith(`${input[i]},`)).toBe(true);
      const score = scoreOf(stdout[i]!);
      expect(score >= 0 && score <= 1, `row ${i}: ${stdout[i]}`).toBe(true);
    }
  }, 60_000);

  it('does not look ahead: cpu4.csv cut after 6,000 rows gets the same first 6,000 scores', async () => {
    const input = (await readFile(cpu4, 'utf8')).split('\n');
    const cut = join(directory, 'cpu4-first-6000.csv');
    await writeFile(cut, `${input.slice(0, 6001).join('\n')}\n`);
    const [full, partial] = await Promise.all([run(['detect', cpu4, '--metric', 'cpu4']), run(['detect', cut, '--metric', 'cpu4'])]);
    expect(partial.code).toBe(0);
    expect(partial.stdout).toEqual(full.stdout.slice(0, 6001));
  }, 60_000);

  it('exits 2 on a header that is not timestamp,value, naming the file and what it found', async () => {
    const bad = join(directory, 'bad-header.csv');
    await writeFile(bad, 'time,value\n1469376000,1\n');
    const { code, stdout, stderr } = await run(['detect', bad, '--metric', 'cpu']);
    expect(code).toBe(2);
    expect(stdout).toEqual([]);
    expect(stderr.join('\n')).toContain(`vigil detect: cpu (${bad}): line 1: the header's first two columns must be timestamp,value (got "time,value")`);
  }, 60_000);

  it('exits 2 on a file it cannot read', async () => {
    const { code, stderr } = await run(['detect', join(directory, 'missing.csv')]);
    expect(code).toBe(2);
    expect(stderr.join('\n')).toContain('cannot read');
  }, 60_000);
});
