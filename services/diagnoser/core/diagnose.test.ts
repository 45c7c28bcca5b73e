import { describe, expect, it } from 'vitest';
import { deterministicId } from '../../../src/codec/ids.js';
import type { Scenario } from '../../../src/codec/records.generated.js';
import { diagnose } from './diagnose.js';
import { renderReport, renderReportLine } from './render.js';
import { memoryHogScene, request, T0 } from '../rules/testdata/scenes.js';
import { captureScene, captureTimeMs, oomCaptureScene, OOM_KILL_MS } from '../rules/testdata/captures.js';
import { cgroup, MiB } from '../rules/testdata/memory-scenes.js';

const memoryCodes = ['MEMORY_LEAK_PROCESS', 'MEMORY_LIMIT_TOO_LOW', 'OOM_LEAK', 'OOM_LIMIT_TOO_LOW', 'OOM_NOISY_NEIGHBOUR', 'JVM_OFF_HEAP', 'PAGE_CACHE_NOT_LEAK', 'WORKING_SET_DEFINITIONS_DIFFER', 'SLAB_UNRECLAIMABLE_GROWTH', 'DIRECT_RECLAIM_STALL', 'SHMEM_GROWTH', 'NODE_MEMORY_PRESSURE_EVICTION', 'MEMORY_HIGH_TOP_PROCESS'];
const scenarios: Scenario[] = ['MEMORY', 'OOM', 'LOAD', 'CPU_THROTTLE', 'IO', 'NETWORK', 'SCHED', 'DISK', 'OTHER', 'PIDS'];

describe('diagnose', () => {
  it('reports the hog of the demo as MEMORY_LEAK_PROCESS, naming its pid, deterministic', () => {
    const req = request(memoryHogScene());
    const report = diagnose(req);
    expect(report).toMatchObject({
      id: deterministicId(req.id, 'MEMORY_LEAK_PROCESS'), requestId: req.id, anomalyIds: ['anomaly-1'], entity: req.entity, scenario: 'MEMORY',
      rootCause: { code: 'MEMORY_LEAK_PROCESS' }, severity: 'CRITICAL', kubernetes: {}, createdAtMs: T0 + 25_000,
    });
    expect(report.rootCause.summary).toContain('python3 (pid 4242)');
    expect(report.missingEvidence).toContain('Kubernetes: no cluster configured or reachable (pod spec, container statuses, events, node conditions not read)');
    expect(diagnose(req)).toEqual(report);
    expect(renderReportLine(report)).toMatch(/^\[CRITICAL\] prod-eu\/worker-7 MEMORY MEMORY_LEAK_PROCESS: process python3 \(pid 4242\) .* \(confidence 0\.\d\d\)$/);
  });

  it('ranks every finding: the strongest is the root cause, the others follow in findings', () => {
    const scene = [...memoryHogScene(), ...cgroup(6, () => ({ usage: 490 * MiB, limit: 512 * MiB, inactiveFile: 0 }))];
    const report = diagnose(request(scene));
    expect(report.rootCause.code).toBe('MEMORY_LEAK_PROCESS');
    expect(report.findings.map((f) => f.code)).toEqual(['MEMORY_LIMIT_TOO_LOW']);
    expect(report.findings[0]!.confidence).toBeLessThanOrEqual(report.confidence);
    const text = renderReport(report);
    expect(text).toMatch(/Also found:\n  - \[WARNING\] MEMORY_LIMIT_TOO_LOW \(confidence 0\.\d\d\): pod shop\/cart-7d9f/);
    expect(text).toContain("Fix:\n  1. see what python3 (pid 4242) holds");
    expect(text).toContain("$ grep -E 'VmRSS|RssAnon|RssFile|RssShmem|VmSwap' /proc/4242/status");
    expect(text).toMatch(/Could not see:\n(  - .*\n)*  - Kubernetes: no cluster configured/);
  });

  it('diagnoses the recorded OOM kill as OOM_LEAK of pid 1039', () => {
    const report = diagnose(request(oomCaptureScene(), 'OOM', OOM_KILL_MS));
    expect(report.rootCause.code).toBe('OOM_LEAK');
    expect(report.rootCause.summary).toContain('(pid 1039)');
  });

  it('puts the Kubernetes context it used in the report', () => {
    const report = diagnose(request([], 'OOM'), {
      kubernetes: {
        events: [{ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', count: 23, object: 'Pod/cart-7d9f' }], missing: ['events: no answer within 5000 ms'],
        pod: { namespace: 'shop', name: 'cart-7d9f', uid: 'u', ownerKind: 'Deployment', ownerName: 'cart', qosClass: 'Burstable', containers: [{ name: 'app', requests: { memory: '100Mi' }, limits: { memory: '100Mi' }, memoryLimitBytes: 100 * MiB, commandLine: '', env: [] }],
          statuses: [{ name: 'app', restartCount: 6, state: { kind: 'waiting', reason: 'CrashLoopBackOff' }, lastState: { kind: 'terminated', reason: 'OOMKilled', exitCode: 137 } }] },
      },
    });
    expect(report.kubernetes).toMatchObject({ pod: 'shop/cart-7d9f', owner: 'Deployment/cart', 'container.app.limits': 'memory=100Mi', 'container.app.restarts': '6', 'container.app.state': 'waiting CrashLoopBackOff', 'container.app.lastTermination': 'OOMKilled exit 137' });
    expect([report.rootCause.code, ...report.findings.map((f) => f.code)]).toContain('OOM_LIMIT_TOO_LOW');
    expect(report.missingEvidence).toContain('Kubernetes: events: no answer within 5000 ms');
  });

  it('answers NO_ROOT_CAUSE for an empty scene, saying so', () => {
    const req = request([]);
    const report = diagnose(req);
    expect(report.id).toBe(deterministicId(req.id, 'NO_ROOT_CAUSE'));
    expect(report.rootCause).toEqual({ code: 'NO_ROOT_CAUSE', summary: 'no root cause found: the scene of this MEMORY request on prod-eu/worker-7 is empty' });
    expect(report.missingEvidence[0]).toBe('the scene is empty: no samples from the node');
    expect(report.suggestions).toEqual([]);
  });

  it.each(['MEMORY', 'OOM'] as const)('finds no root cause in the healthy capture of this machine (%s), listing what it checked', async (scenario) => {
    const report = diagnose(request(await captureScene('healthy'), scenario, captureTimeMs('healthy')));
    expect(report.rootCause.code).toBe('NO_ROOT_CAUSE');
    expect(report.findings).toEqual([]);
    expect(report.rootCause.summary).toMatch(/^no root cause found: \d+ \w+ rules checked \d+ scene samples/);
    expect(report.evidence.filter((f) => f.name.startsWith('checked ')).map((f) => f.name)).toContain('checked memory-leak-process');
  });

  it.each(scenarios)('accuses nothing of memory in the healthy capture (%s)', async (scenario) => {
    const report = diagnose(request(await captureScene('healthy'), scenario, captureTimeMs('healthy')));
    const codes = [report.rootCause.code, ...report.findings.map((f) => f.code)];
    expect(codes.filter((code) => memoryCodes.includes(code))).toEqual([]);
  });

  it('names the leaking python of the memory-leak capture', async () => {
    const expected = JSON.parse((await import('node:fs')).readFileSync(new URL('../../../test/fixtures/captures/memory-leak.expected.json', import.meta.url), 'utf8')) as { culprit: string };
    const report = diagnose(request(await captureScene('memory-leak'), 'MEMORY', captureTimeMs('memory-leak')));
    expect(report.rootCause.code).toBe('MEMORY_LEAK_PROCESS');
    expect(report.rootCause.summary).toContain(`(pid ${expected.culprit})`);
  });
});
