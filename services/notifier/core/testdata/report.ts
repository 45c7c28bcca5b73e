import type { DiagnosisReport } from '../../../../src/codec/records.generated.js';

const MiB = 1024 * 1024;

/** A report as the diagnoser writes it for a process growing 40 MiB/s. */
export const memoryGrowthReport: DiagnosisReport = {
  id: '3f1c0d9e6a1b4c2d8e7f6a5b4c3d2e1f',
  requestId: 'c0ffee00c0ffee00c0ffee00c0ffee00',
  anomalyIds: ['a1b2c3', 'd4e5f6'],
  entity: { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null },
  scenario: 'MEMORY',
  rootCause: { code: 'MEMORY_LEAK_PROCESS', summary: 'process python3 (pid 4242) grew its RSS by 1000.0 MiB at 40.0 MiB/s to 1.5 GiB' },
  evidence: [
    { name: 'rss growth rate', value: 40 * MiB, unit: 'bytes/s', detail: 'pid 4242 python3' },
    { name: 'rss growth', value: 1000 * MiB, unit: 'bytes', detail: 'pid 4242 python3, over 25.0 s' },
    { name: 'rss', value: 1512 * MiB, unit: 'bytes', detail: 'pid 4242 python3' },
    { name: 'share of node rss growth', value: 0.998, unit: 'ratio', detail: 'pid 4242 python3' },
  ],
  suggestions: [
    { action: 'inspect python3 (pid 4242): VmRSS, RssAnon and VmSwap tell heap growth from mapped files', command: 'cat /proc/4242/status', setting: null },
    { action: 'see which mappings of python3 (pid 4242) hold the memory', command: 'pmap -x 4242', setting: null },
    { action: 'if it is a leak, restart python3 (pid 4242) and cap it with a memory limit above its expected working set, e.g. 768.0 MiB (1.5 × 512.0 MiB)', command: null, setting: 'memory.max=768M (cgroup v2) or resources.limits.memory: 768Mi (container)' },
  ],
  confidence: 0.9487,
  severity: 'CRITICAL',
  kubernetes: {},
  createdAtMs: Date.UTC(2026, 10, 24, 7, 0, 25),
  findings: [],
  missingEvidence: [],
};
