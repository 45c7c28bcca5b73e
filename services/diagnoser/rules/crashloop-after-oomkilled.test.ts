import { describe, expect, it } from 'vitest';
import { crashloopAfterOomKilled } from './crashloop-after-oomkilled.js';
import { crashloopOomContext, evidenceOf, readTestdata } from './testdata/field-scenes.js';

describe('crashloopAfterOomKilled', () => {
  it('transcribes holmesgpt’s kubectl describe faithfully', () => {
    const text = readTestdata('k8s/holmesgpt-oom-kill-describe.txt');
    const pod = crashloopOomContext().pod!;
    expect(text).toContain(`Name:             ${pod.name}`);
    expect(text).toMatch(/State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff\n\s+Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137/);
    expect(text).toMatch(/Restart Count:\s+6\n\s+Limits:\n\s+memory:\s+100Mi/);
    expect(text).toContain('BackOff    87s (x23 over 6m33s)');
    expect(text).toContain(`Controlled By:  ReplicaSet/${pod.ownerName}`);
  });

  it('names the container looping after OOMKilled at 100Mi and suggests 192Mi for its Deployment', () => {
    const finding = crashloopAfterOomKilled(evidenceOf([], 'OOM', crashloopOomContext()))!;
    expect(finding.cause).toBe('CRASHLOOP_AFTER_OOMKILLED');
    expect(finding.summary).toBe(
      'container memory-eater of pod default/analytics-exporter-fast-76897854c-cw5wh is in CrashLoopBackOff after being OOMKilled (exit 137, 6 restarts) at its 100Mi memory limit',
    );
    expect(finding.suggestions[0]!.command).toBe('kubectl -n default set resources deployment/analytics-exporter-fast -c memory-eater --limits=memory=192Mi');
    expect(finding.facts.find((f) => f.name === 'BackOff events')!.value).toBe(23);
  });

  it('does not fire for a crash loop with another cause, or without Kubernetes context', () => {
    const context = crashloopOomContext();
    context.pod!.statuses[0]!.lastState = { kind: 'terminated', reason: 'Error', exitCode: 1 };
    expect(crashloopAfterOomKilled(evidenceOf([], 'OOM', context))).toBeUndefined();
    expect(crashloopAfterOomKilled(evidenceOf([], 'OOM'))).toBeUndefined();
  });
});
