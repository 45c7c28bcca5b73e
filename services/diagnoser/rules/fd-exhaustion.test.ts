import { describe, expect, it } from 'vitest';
import { fdExhaustion } from './fd-exhaustion.js';
import { at, evidenceOf, healthyScene, T0 } from './testdata/field-scenes.js';

describe('fdExhaustion', () => {
  it('finds the node near fs.file-max and suggests twice the handles in use', () => {
    const scene = [at(T0, 'node_filefd_allocated', 780_000), at(T0 + 10_000, 'node_filefd_allocated', 790_000), at(T0 + 10_000, 'node_filefd_maximum', 819_200)];
    const finding = fdExhaustion(evidenceOf(scene, 'OTHER'))!;
    expect(finding.cause).toBe('FD_EXHAUSTION');
    expect(finding.summary).toBe('790000 of fs.file-max = 819200 file handles are open (96 %): opens will fail with ENFILE');
    expect(finding.suggestions[1]!.command).toBe('sysctl -w fs.file-max=1638400');
  });

  it('is quiet on a healthy node', () => {
    expect(fdExhaustion(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
