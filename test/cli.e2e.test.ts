/**
 * The user-visible promises of the `vigil` command, run as real processes: the memory-hog demo is
 * diagnosed by `vigil start` on this machine's /proc; bad config exits 2 naming the variable;
 * /readyz and /metrics answer; SIGTERM exits 0; an unreachable broker is retried, not crash-looped.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { freePort, spawnVigil, type VigilProcess } from './support/vigil-process.js';

const running: VigilProcess[] = [];
function vigil(args: string[], env: Record<string, string> = {}): VigilProcess {
  const process = spawnVigil(args, { VIGIL_LOG_LEVEL: 'info', ...env });
  running.push(process);
  return process;
}

afterEach(async () => {
  for (const process of running.splice(0)) {
    process.kill('SIGKILL');
    await process.exited();
  }
});

describe('vigil start with the memory-hog demo', () => {
  test('a diagnosis line naming the hog pid and speaking of memory appears', async () => {
    const pipeline = vigil(['start'], { VIGIL_BUS: 'memory', VIGIL_INTERVAL_MS: '500', VIGIL_HTTP_PORT: '0', VIGIL_NODE: 'hog-test' });
    await pipeline.waitForLine((line) => line.includes('"msg":"ready"'), 30_000, 'stderr');
    // Let the detector's windows fill with this machine's normal behaviour first.
    await new Promise((resolve) => setTimeout(resolve, 8_000));

    const hog = vigil(['demo', 'memory-hog', '--rate', '40', '--cap', '1500', '--seconds', '120']);
    const pid = Number(await hog.waitForLine((line) => /^\d+$/.test(line.trim()), 30_000));
    expect(pid).toBeGreaterThan(1);

    const diagnosis = await pipeline.waitForLine((line) => line.includes(`pid ${pid}`), 90_000);
    expect(diagnosis).toMatch(/memory|MEMORY|RSS/);
    expect(diagnosis).toContain('MEMORY_LEAK_PROCESS');
  }, 150_000);
});

describe('configuration', () => {
  test('a bad value stops the service at start with exit code 2 and names the variable', async () => {
    const process = vigil(['run', 'detector'], { VIGIL_BUS: 'nats' });
    expect(await process.exited()).toBe(2);
    expect(process.stderr.join('\n')).toMatch(/VIGIL_BUS="nats"/);
  });

  test('a bad expert rule file stops the detector at start with exit code 2, naming the rule and the field', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const directory = await mkdtemp(join(tmpdir(), 'vigil-rules-'));
    try {
      const file = join(directory, 'rules.yaml');
      await writeFile(file, 'rules:\n  - name: load-high\n    metric: node_load1\n    threshold: { above: lots }\n');
      const process = vigil(['run', 'detector'], { VIGIL_DETECTOR_RULES: file });
      expect(await process.exited()).toBe(2);
      expect(process.stderr.join('\n')).toContain('rules[0] "load-high": threshold.above: expected a number');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  test('an SMTP url without receivers is rejected, naming VIGIL_EMAIL_TO', async () => {
    const process = vigil(['run', 'notifier'], { VIGIL_SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(await process.exited()).toBe(2);
    expect(process.stderr.join('\n')).toContain('VIGIL_EMAIL_TO');
  });
});

describe('runtime', () => {
  test('/healthz, /readyz and /metrics answer, and SIGTERM exits 0', async () => {
    const port = await freePort();
    const process = vigil(['start'], { VIGIL_BUS: 'memory', VIGIL_INTERVAL_MS: '200', VIGIL_HTTP_PORT: String(port), VIGIL_NODE: 'runtime-test' });
    await process.waitForLine((line) => line.includes('"msg":"ready"'), 30_000, 'stderr');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/vigil_records_out_total\{topic="metrics.raw"\} [1-9]/);
    expect(metrics).toMatch(/vigil_records_in_total\{topic="metrics.raw",group="vigil-detector"\} [1-9]/);
    expect(metrics).toContain('vigil_handler_duration_seconds_bucket');
    expect(metrics).toContain('vigil_consumer_lag_seconds');

    process.kill('SIGTERM');
    expect(await process.exited()).toBe(0);
  });

  test('an unreachable broker is retried with backoff: alive, not ready, and stops cleanly', async () => {
    const port = await freePort();
    const process = vigil(['run', 'detector'], { VIGIL_BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:1', VIGIL_HTTP_PORT: String(port) });
    await process.waitForLine((line) => line.includes('bus not reachable, retrying'), 30_000, 'stderr');
    await process.waitForLine((line) => line.includes('bus not reachable, retrying') && line.includes('"attempt":2'), 30_000, 'stderr');
    expect(process.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    process.kill('SIGTERM');
    expect(await process.exited()).toBe(0);
  });
});
