import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { request } from './testdata/scenes.js';
import { at, cgroup, GiB, MiB, node, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';
import { workingSetDefinitionsDiffer } from './working-set-definitions.js';

describe('workingSetDefinitionsDiffer', () => {
  const bloated = cgroup(1, () => ({ usage: 1.5 * GiB, limit: 1.6 * GiB, inactiveFile: 50 * MiB, anon: 700 * MiB, activeFile: 100 * MiB, slab: 600 * MiB }));
  it('explains kubectl top vs the active working set by slab', () => {
    const finding = workingSetDefinitionsDiffer(buildEvidence(request(bloated)))!;
    expect(finding.cause).toBe('WORKING_SET_DEFINITIONS_DIFFER');
    expect(finding.summary).toContain('`kubectl top` shows 1.5 GiB but the active working set is 800.0 MiB');
    expect(finding.summary).toContain('slab 600.0 MiB');
  });

  it('is silent when the two agree (the recorded OOM cgroup: 54140928 vs 53678080 bytes)', () => {
    const scene = [at(0, 'cgroup_memory_working_set_bytes', 54140928, { cgroup: '/vigil-oom' }), at(0, 'cgroup_memory_active_working_set_bytes', 53678080, { cgroup: '/vigil-oom' }), at(0, 'cgroup_memory_limit_bytes', 67108864, { cgroup: '/vigil-oom' })];
    expect(workingSetDefinitionsDiffer(buildEvidence({ ...request(scene), metric: 'cgroup_memory_working_set_bytes' }))).toBeUndefined();
  });
});
