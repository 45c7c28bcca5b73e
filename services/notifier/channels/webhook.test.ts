import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryGrowthReport } from '../core/testdata/report.js';
import { messageFromReport } from './message.js';
import { expectHttpFailureRules } from './testdata/http-cases.js';
import { hostilePod, startRecordingServer } from './testdata/recording-server.js';
import { createWebhookChannel, verifyWebhookSignature, webhookSignature } from './webhook.js';

const secret = 'whsec-shared-SECRET';
const pathToken = 'path-token-SECRET';
const hostile = messageFromReport({ ...memoryGrowthReport, entity: { ...memoryGrowthReport.entity, namespace: 'shop', pod: hostilePod } }, { resolved: true, groupKey: 'g1' });

describe('generic webhook channel', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const ok = () => ({ status: 204 });
  beforeAll(async () => {
    // A receiver as we document it: reject a bad signature or a stale timestamp with 401.
    server = await startRecordingServer((request) => (verifyWebhookSignature(request.body, request.headers, secret, 300) ? ok() : { status: 401 }));
  });
  afterAll(() => server.close());
  const webhookUrl = () => `${server.origin}/hooks/${pathToken}`;

  it('posts signed JSON the receiver verifies; the hostile pod name arrives intact and inert', async () => {
    expect(await createWebhookChannel({ webhookUrl: webhookUrl(), secret }).send(hostile)).toEqual({ ok: true });
    const request = server.requests.at(-1)!;
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.headers['x-vigil-timestamp']).toMatch(/^\d{10}$/);
    expect(request.headers['x-vigil-signature']).toBe(webhookSignature(secret, request.headers['x-vigil-timestamp'] as string, request.body));
    expect(request.body).not.toMatch(/[<>]/);
    const body = JSON.parse(request.body) as Record<string, unknown> & { labels: Record<string, string> };
    expect(body).toMatchObject({ version: '1', groupKey: 'g1', status: 'resolved', severity: 'CRITICAL', reportId: memoryGrowthReport.id });
    expect(body.labels.pod).toBe(hostilePod);
  });

  it('a wrong secret is refused (401, no retry); a replayed request is rejected by the helper', async () => {
    expect(await createWebhookChannel({ webhookUrl: webhookUrl(), secret: 'wrong' }).send(hostile)).toMatchObject({ ok: false, retry: false });
    const signed = server.requests.find((r) => verifyWebhookSignature(r.body, r.headers, secret, 300))!;
    const sentAtMs = Number(signed.headers['x-vigil-timestamp']) * 1000;
    expect(verifyWebhookSignature(signed.body, signed.headers, secret, 300, sentAtMs + 301_000)).toBe(false);
    expect(verifyWebhookSignature(`${signed.body} `, signed.headers, secret, 300, sentAtMs)).toBe(false);
    expect(verifyWebhookSignature(signed.body, new Headers(signed.headers as Record<string, string>), secret, 300, sentAtMs)).toBe(true);
  });

  it('requires a secret', () => {
    expect(() => createWebhookChannel({ webhookUrl: webhookUrl() })).toThrow(/secret or secretFile is required/);
  });

  it('HTTP rules: 429 / 500 retry, 400 not; errors show the origin only', async () => {
    await expectHttpFailureRules(server, createWebhookChannel({ webhookUrl: webhookUrl(), secret }), hostile, pathToken, ok);
  });
});
