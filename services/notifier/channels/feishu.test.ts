import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryGrowthReport } from '../core/testdata/report.js';
import { createFeishuChannel, FEISHU_BODY_MAX_BYTES } from './feishu.js';
import { messageFromReport } from './message.js';
import { expectHttpFailureRules } from './testdata/http-cases.js';
import { hostilePod, startRecordingServer, type RecordedRequest } from './testdata/recording-server.js';

const hookToken = 'feishu-hook-token-SECRET';
const secret = 'feishu-signing-secret';
const hostile = messageFromReport({ ...memoryGrowthReport, entity: { ...memoryGrowthReport.entity, namespace: 'shop', pod: hostilePod } });

interface Card {
  header: { title: { tag: string; content: string }; template: string };
  elements: { tag: string; text?: { tag: string; content: string }; fields?: { text: { tag: string; content: string } }[] }[];
}

/** What Feishu does: HmacSHA256 keyed with timestamp + "\n" + secret over an empty message, base64; timestamp within an hour. */
function verifyLikeFeishu(request: RecordedRequest): { code: number; msg: string } {
  const body = JSON.parse(request.body) as { timestamp?: string; sign?: string };
  const expected = createHmac('sha256', `${body.timestamp}\n${secret}`).update('').digest('base64');
  if (body.sign !== expected || Math.abs(Date.now() / 1000 - Number(body.timestamp)) > 3600) return { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' };
  return { code: 0, msg: 'success' };
}

describe('feishu channel', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const ok = () => ({ status: 200, body: '{"code":0,"msg":"success","data":{}}' });
  beforeAll(async () => {
    server = await startRecordingServer((request) => ({ status: 200, body: JSON.stringify({ ...verifyLikeFeishu(request), data: {} }) }));
  });
  afterAll(() => server.close());
  const webhookUrl = () => `${server.origin}/open-apis/bot/v2/hook/${hookToken}`;

  it('sends a signed interactive card the bot accepts; the hostile pod name is plain text only', async () => {
    expect(await createFeishuChannel({ webhookUrl: webhookUrl(), secret }).send(hostile)).toEqual({ ok: true });
    const request = server.requests.at(-1)!;
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(request.body) as { timestamp: string; sign: string; msg_type: string; card: Card };
    expect(body.timestamp).toMatch(/^\d{10}$/);
    expect(body.msg_type).toBe('interactive');
    expect(body.card.header).toMatchObject({ title: { tag: 'plain_text' }, template: 'red' });
    const podField = body.card.elements.flatMap((e) => e.fields ?? []).find((f) => f.text.content.startsWith('pod: '))!;
    expect(podField.text).toEqual({ tag: 'plain_text', content: `pod: ${hostilePod}` });
    const texts = body.card.elements.flatMap((e) => [e.text, ...(e.fields ?? []).map((f) => f.text)]).filter((t) => t !== undefined);
    for (const t of texts) if (t.content.includes('evil')) expect(t.tag).toBe('plain_text');
  });

  it('a wrong secret fails without retry; rate limited (11232) retries', async () => {
    expect(await createFeishuChannel({ webhookUrl: webhookUrl(), secret: 'wrong' }).send(hostile)).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('19021') });
    server.setReply(() => ({ status: 200, body: '{"code":11232,"msg":"frequency limited"}' }));
    expect(await createFeishuChannel({ webhookUrl: webhookUrl(), secret }).send(hostile)).toMatchObject({ ok: false, retry: true });
    server.setReply(ok);
  });

  it('keeps the body under 20 KB with a visible notice', async () => {
    const long = { ...hostile, facts: Array.from({ length: 3000 }, (_, i) => ({ name: `fact ${i}`, value: '1 B' })), suggestions: Array.from({ length: 500 }, (_, i) => ({ action: `do thing ${i}` })) };
    expect(await createFeishuChannel({ webhookUrl: webhookUrl(), secret }).send(long)).toEqual({ ok: true });
    const body = server.requests.at(-1)!.body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(FEISHU_BODY_MAX_BYTES);
    expect(body).toContain('… truncated');
    expect((JSON.parse(body) as { card: Card }).card.elements.at(-1)!.tag).toBe('note');
  });

  it('HTTP rules: 429 / 500 retry, 400 not; errors show the origin only', async () => {
    await expectHttpFailureRules(server, createFeishuChannel({ webhookUrl: webhookUrl(), secret }), hostile, hookToken, ok);
  });
});
