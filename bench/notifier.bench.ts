/**
 * Notifications per second through the whole notifier — intake of diagnosis.reports, the
 * notifier.outbox topic, grouping, dedup against the notification log, the channel outbox, a signed
 * webhook POST to a local HTTP receiver, and the SENT and DONE records — on the in-process bus.
 * Every report is its own group (group_by: ['...'], group_wait: 0s), so each is one HTTP request.
 *
 * Then the outage scenario of test/notifier-outbox.test.ts at a larger size, on a manual clock:
 * the receiver is down for 10 simulated minutes while reports keep coming, then answers 429 with
 * Retry-After a few times; it prints how many notifications arrived twice and how many never.
 *
 * Rerun: npx tsx bench/notifier.bench.ts [reports=3000] [outageReports=500]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { codecFor } from '../src/codec/codecs.js';
import type { DiagnosisReport } from '../src/codec/records.generated.js';
import { memoryGrowthReport } from '../services/notifier/core/testdata/report.js';
import { deliveriesById, duplicatesAndLosses, startNotifierInstance } from '../services/notifier/testdata/instance.js';
import { ManualTimers } from '../services/notifier/testdata/manual-timers.js';

const reports = Number(process.argv[2] ?? 3000);
const outageReports = Number(process.argv[3] ?? 500);
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-notifier-bench-'));

/** A receiver that answers `status()` and keeps the accepted bodies. */
async function startReceiver(status: () => { code: number; headers?: Record<string, string> }) {
  const accepted: string[] = [];
  let requests = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests++;
      const answer = status();
      if (answer.code < 300) accepted.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(answer.code, answer.headers ?? {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function config(name: string, origin: string, rateLimit: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `
route:
  receiver: hook
  group_by: ['...']
  group_wait: 0s
receivers:
  - name: hook
    channels:
      - type: webhook
        name: hook
        url: ${origin}/hook
        secret: bench-secret
        rate_limit: ${rateLimit}
`);
  return file;
}

const report = (n: number, atMs: number): DiagnosisReport => ({ ...memoryGrowthReport, id: `bench-${n}`, entity: { ...memoryGrowthReport.entity, node: `worker-${n}` }, createdAtMs: atMs });
const codec = codecFor('diagnosis.reports');
const produce = (bus: MemoryBus, items: DiagnosisReport[]) => bus.produce('diagnosis.reports', items.map((item) => ({ key: `${item.entity.cluster}/${item.entity.node}`, value: codec.encode(item) })));

async function throughput(): Promise<void> {
  const receiver = await startReceiver(() => ({ code: 204 }));
  const bus = new MemoryBus();
  const handle = await startNotifierInstance(bus, { VIGIL_NOTIFIER_CONFIG: config('throughput.yaml', receiver.origin, 'unlimited') });
  // Warm-up: JIT, the HTTP agent's sockets.
  await produce(bus, Array.from({ length: 200 }, (_, n) => report(1_000_000 + n, Date.now())));
  while (receiver.accepted.length < 200) await sleep(5);
  receiver.accepted.length = 0;

  const items = Array.from({ length: reports }, (_, n) => report(n, Date.now()));
  const started = performance.now();
  for (let offset = 0; offset < items.length; offset += 100) await produce(bus, items.slice(offset, offset + 100));
  // Each report is its own message here, so counting requests is enough while waiting (parsing every body each poll would cost more than the notifier).
  while (receiver.accepted.length < reports) await sleep(2);
  const seconds = (performance.now() - started) / 1000;
  const { duplicates, losses } = duplicatesAndLosses(deliveriesById(receiver.accepted), items.map((item) => item.id));
  console.log(`throughput: ${reports} reports → ${receiver.accepted.length} webhook requests in ${seconds.toFixed(2)} s = ${(reports / seconds).toFixed(0)} notifications/s (duplicates ${duplicates}, lost ${losses})`);
  await handle.close();
  await bus.close();
  await receiver.close();
}

async function outage(): Promise<void> {
  const T0 = Date.UTC(2026, 10, 25, 3, 0, 0);
  const timers = new ManualTimers(T0);
  const outageEndsAt = T0 + 10 * 60_000;
  let limited = 0;
  const receiver = await startReceiver(() => {
    if (timers.now() < outageEndsAt) return { code: 503 };
    if (limited < 5) {
      limited++;
      return { code: 429, headers: { 'retry-after': '3' } };
    }
    return { code: 204 };
  });
  const bus = new MemoryBus();
  const handle = await startNotifierInstance(bus, { VIGIL_NOTIFIER_CONFIG: config('outage.yaml', receiver.origin, '1/s'), VIGIL_NOTIFIER_RETRY_BASE_MS: '1000' }, { timers });
  const ids: string[] = [];
  // Reports spread over the outage, then as many again after it; the clock moves 1 s at a time.
  const stepMs = 1000;
  const perStep = Math.max(1, Math.ceil(outageReports / 600));
  for (let n = 0; n < 2 * outageReports;) {
    const batch: DiagnosisReport[] = [];
    for (let k = 0; k < perStep && n < 2 * outageReports; k++, n++) batch.push(report(n, timers.now()));
    ids.push(...batch.map((item) => item.id));
    await produce(bus, batch);
    await sleep(1);
    timers.advance(n < outageReports ? (10 * 60_000) / Math.ceil(outageReports / perStep) : stepMs);
  }
  for (let moved = 0; moved < 60 * 60_000 && (moved % 60_000 !== 0 || deliveriesById(receiver.accepted).size < ids.length); moved += stepMs) {
    timers.advance(stepMs);
    await sleep(1);
  }
  for (let moved = 0; moved < 30 * 60_000; moved += 10_000) {
    timers.advance(10_000);
    await sleep(1);
  }
  const { duplicates, losses } = duplicatesAndLosses(deliveriesById(receiver.accepted), ids);
  const digests = receiver.accepted.filter((body) => body.includes('"digestOf"')).length;
  console.log(`outage: ${ids.length} notifications (${outageReports} during a 10-minute outage, then 5 × 429) → ${receiver.requests()} requests, ${receiver.accepted.length} accepted (${digests} digests): ${duplicates} duplicates, ${losses} lost`);
  await handle.close();
  await bus.close();
  await receiver.close();
}

await throughput();
await outage();
rmSync(dir, { recursive: true, force: true });
console.log('rerun: npx tsx bench/notifier.bench.ts [reports=3000] [outageReports=500]');
