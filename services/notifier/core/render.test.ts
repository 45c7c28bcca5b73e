import { describe, expect, it } from 'vitest';
import { formatFactValue, renderReportEmail, renderReportLine } from './render.js';
import { memoryGrowthReport as report } from './testdata/report.js';

describe('renderReportLine', () => {
  it('says severity, where, what, the first fix and the confidence on one line', () => {
    expect(renderReportLine(report)).toBe(
      '[CRITICAL] prod-eu/worker-7 MEMORY MEMORY_LEAK_PROCESS: process python3 (pid 4242) grew its RSS by 1000.0 MiB at 40.0 MiB/s to 1.5 GiB' +
        ' — fix: inspect python3 (pid 4242): VmRSS, RssAnon and VmSwap tell heap growth from mapped files (`cat /proc/4242/status`) [+2 more] (confidence 0.95)',
    );
  });

  it('names the pod when the report is about one, and stays one line when strings carry newlines', () => {
    const line = renderReportLine({
      ...report,
      entity: { ...report.entity, namespace: 'shop', pod: 'api-7d9f', container: 'app' },
      rootCause: { code: 'X', summary: 'first\nsecond\r\n\tthird' },
      suggestions: [],
    });
    expect(line).toBe('[CRITICAL] prod-eu/worker-7/shop/api-7d9f/app MEMORY X: first second third (confidence 0.95)');
  });
});

describe('renderReportEmail', () => {
  it('has a subject naming the cause and node, and text with evidence and commands', () => {
    const email = renderReportEmail(report);
    expect(email.subject).toBe('[Vigil] CRITICAL MEMORY_LEAK_PROCESS on prod-eu/worker-7: process python3 (pid 4242) grew its RSS by 1000.0 MiB at 40.0 MiB/s to 1.5 GiB');
    expect(email.text).toContain('  - rss growth rate: 40.0 MiB/s (pid 4242 python3)');
    expect(email.text).toContain('  - share of node rss growth: 100 % (pid 4242 python3)');
    expect(email.text).toContain('     $ pmap -x 4242');
    expect(email.text).toContain('     setting: memory.max=768M (cgroup v2) or resources.limits.memory: 768Mi (container)');
    expect(email.text).toContain('Time: 2026-11-24T07:00:25.000Z');
    expect(email.html).toContain('<code>cat /proc/4242/status</code>');
  });

  it('escapes every report string in the HTML', () => {
    const hostile = renderReportEmail({
      ...report,
      entity: { ...report.entity, node: '<b>n</b>' },
      rootCause: { code: 'A&B', summary: '<script>alert("x")</script>' },
      evidence: [{ name: "it's <big>", value: 1, unit: '', detail: '"quoted"' }],
      suggestions: [{ action: 'run <this>', command: 'echo "a" > /tmp/x & rm y', setting: null }],
    });
    expect(hostile.html).not.toMatch(/<script|<b>|<big>|<this>/);
    expect(hostile.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(hostile.html).toContain('<code>echo &quot;a&quot; &gt; /tmp/x &amp; rm y</code>');
    expect(hostile.html).toContain('it&#39;s &lt;big&gt;');
    expect(hostile.subject).toContain('<script>');
  });

  it('keeps the subject to one bounded line', () => {
    const { subject } = renderReportEmail({ ...report, rootCause: { code: 'C', summary: `line1\nline2 ${'x'.repeat(500)}` } });
    expect(subject).not.toMatch(/\n/);
    expect(subject.length).toBe(200);
    expect(subject.endsWith('…')).toBe(true);
  });
});

describe('formatFactValue', () => {
  it.each([
    [{ value: 40 * 1024 * 1024, unit: 'bytes/s' }, '40.0 MiB/s'],
    [{ value: 1.5 * 1024 ** 3, unit: 'bytes' }, '1.5 GiB'],
    [{ value: 512, unit: 'bytes' }, '512 B'],
    [{ value: 0.25, unit: 'ratio' }, '25 %'],
    [{ value: 12.345, unit: 'seconds' }, '12.3 s'],
    [{ value: 42, unit: 'periods' }, '42 periods'],
    [{ value: 3, unit: '' }, '3'],
  ])('%o → %s', (fact, expected) => {
    expect(formatFactValue(fact)).toBe(expected);
  });
});
