/** `vigil health`, run as the real command against a scorer serving its API on this process's host. */
import { afterEach, expect, test } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import { deterministicId } from '../src/codec/ids.js';
import type { Anomaly } from '../src/codec/records.generated.js';
import { startHost, type Host } from '../src/runtime/host.js';
import { createLogger } from '../src/runtime/logger.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { scorer } from '../services/scorer/scorer.service.js';
import { observeTopic } from './support/topic-observer.js';
import { spawnVigil } from './support/vigil-process.js';

const T0 = Date.UTC(2026, 10, 24, 7, 0, 0);
let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

test('prints the node the scorer lowered, by --url and by VIGIL_HTTP_PORT', async () => {
  const bus = new MemoryBus();
  host = await startHost({
    services: [scorer as unknown as ServiceDefinition],
    env: { VIGIL_HTTP_PORT: '0', VIGIL_SCORER_RESTORE_IDLE_MS: '100' },
    bus,
    logger: createLogger({ level: 'warn' }),
    print: () => undefined,
  });
  await host.started;
  const updates = await observeTopic(bus, 'health.updates', { group: 'cli-observer' });
  const anomaly: Anomaly = {
    eventId: deterministicId('a1', 'OPEN', T0), id: 'a1',
    entity: { cluster: 'prod-eu', node: 'worker-7', namespace: null, pod: null, container: null },
    metric: 'node_memory_MemAvailable_bytes', series: 'node_memory_MemAvailable_bytes{}', labels: {}, kind: 'LEVEL_SHIFT',
    state: 'OPEN', severity: 'CRITICAL', score: 3.2, value: 1.2e9, expectedLow: 8e9, expectedHigh: 1.2e10,
    models: ['robust-zscore'], openedAtMs: T0, observedAtMs: T0, resolvedAtMs: null,
  };
  await bus.produce('anomalies', [{ key: 'prod-eu/worker-7', value: codecFor('anomalies').encode(anomaly) }]);
  const node = await updates.waitFor((u) => u.level === 'NODE' && u.entity.node === 'worker-7', 5_000);
  await updates.waitFor((u) => u.level === 'CLUSTER', 5_000);
  await updates.close();

  const byUrl = spawnVigil(['health', '--level', 'node', '--url', `http://127.0.0.1:${host.httpPort}`]);
  expect(await byUrl.exited()).toBe(0);
  expect(byUrl.stdout[0]).toMatch(/^ENTITY\s+LEVEL\s+SCORE\s+GRADE\s+TOP ITEM$/);
  expect(byUrl.stdout[1]).toMatch(new RegExp(`^prod-eu/worker-7\\s+NODE\\s+${node.score}\\s+${node.grade}\\s+-\\d+ memory: CRITICAL LEVEL_SHIFT anomaly`));
  expect(byUrl.stdout.filter((line) => line !== '')).toHaveLength(2);

  const byPort = spawnVigil(['health'], { VIGIL_HTTP_PORT: String(host.httpPort) });
  expect(await byPort.exited()).toBe(0);
  expect(byPort.stdout.map((line) => line.split(/\s+/, 2).join(' '))).toEqual(expect.arrayContaining(['prod-eu CLUSTER', 'prod-eu/worker-7 NODE']));

  await host.close();
  const down = spawnVigil(['health', '--url', `http://127.0.0.1:${host.httpPort}`]);
  expect(await down.exited()).toBe(1);
  expect(down.stderr.join('\n')).toContain(`cannot reach the scorer at http://127.0.0.1:${host.httpPort}/api/health`);
}, 60_000);
