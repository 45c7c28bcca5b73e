import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../core/evidence.js';
import { request } from './testdata/scenes.js';
import { at, cgroup, GiB, MiB, node, POD, POD_CGROUP, process } from './testdata/memory-scenes.js';
import { jvmOffHeap, maxHeapBytes } from './jvm-off-heap.js';

describe('jvmOffHeap', () => {
  it('reads -Xmx in its forms', () => {
    expect(maxHeapBytes('java -Xms256m -Xmx1g -jar app.jar')).toBe(GiB);
    expect(maxHeapBytes('JAVA_TOOL_OPTIONS=-Xmx512M')).toBe(512 * MiB);
    expect(maxHeapBytes('java -jar app.jar')).toBeUndefined();
  });

  it('flags a JVM resident at 2.6 GiB with -Xmx1g, suggesting NMT and MaxDirectMemorySize', () => {
    const scene = [...process(2, 2101, 'java', () => 2.6 * GiB, { cmdline: 'java -Xmx1g -jar cart.jar', threads: 420, cgroup: POD_CGROUP, pod: POD }), ...cgroup(2, () => ({ usage: 2.8 * GiB, limit: 3 * GiB, inactiveFile: 0 }))];
    const finding = jvmOffHeap(buildEvidence(request(scene)))!;
    expect(finding.cause).toBe('JVM_OFF_HEAP');
    expect(finding.summary).toContain('java (pid 2101) in pod shop/cart-7d9f');
    expect(finding.suggestions.map((s) => s.setting)).toContain('-XX:NativeMemoryTracking=summary');
    expect(finding.suggestions[1]!.setting).toMatch(/^-XX:MaxDirectMemorySize=\d+m$/);
    expect(finding.severity).toBe('CRITICAL');
  });

  it('takes -Xmx from the container spec when the command line lacks it, and is silent when RSS fits the heap', () => {
    const kube = { events: [], missing: [], pod: { namespace: 'shop', name: 'cart-7d9f', uid: 'u', containers: [{ name: 'app', requests: {}, limits: {}, commandLine: 'java -jar cart.jar', env: ['JAVA_TOOL_OPTIONS=-Xmx512m'] }], statuses: [] } };
    const scene = process(2, 2101, 'java', () => 1.5 * GiB, { cmdline: 'java -jar cart.jar', pod: POD });
    expect(jvmOffHeap(buildEvidence(request(scene), kube))!.facts[1]).toMatchObject({ value: 512 * MiB });
    expect(jvmOffHeap(buildEvidence(request(process(2, 2101, 'java', () => 1.1 * GiB, { cmdline: 'java -Xmx1g -jar a.jar' }))))).toBeUndefined();
  });
});
