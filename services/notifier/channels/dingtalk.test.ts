import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryGrowthReport } from '../core/testdata/report.js';
import { createDingtalkChannel, DINGTALK_TEXT_MAX_BYTES } from './dingtalk.js';
import { messageFromReport } from './message.js';
import { expectHttpFailureRules } from './testdata/http-cases.js';
import { hostilePod, startRecordingServer, type RecordedRequest } from './testdata/recording-server.js';

const accessToken = 'dt-access-token-SECRET';
const secret = 'SECdeadbeefdeadbeefdeadbeef';
const hostile = messageFromReport({ ...memoryGrowthReport, entity: { ...memoryGrowthReport.entity, namespace: 'shop', pod: hostilePod } });

/** What DingTalk does: recompute HmacSHA256(secret, timestamp + "\n" + secret), base64, and require the timestamp within an hour. */
function verifyLikeDingtalk(request: RecordedRequest): number {
  const query = new URL(request.url, 'http://x').searchParams;
  if (query.get('access_token') !== accessToken) return 300001;
  const timestamp = query.get('timestamp') ?? '';
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  if (query.get('sign') !== expected || Math.abs(Date.now() - Number(timestamp)) > 3_600_000) return 310000;
  return 0;
}

describe('dingtalk channel', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const ok = () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
  beforeAll(async () => {
    server = await startRecordingServer((request) => {
      const errcode = verifyLikeDingtalk(request);
      return { status: 200, body: JSON.stringify({ errcode, errmsg: errcode ? 'sign not match' : 'ok' }) };
    });
  });
  afterAll(() => server.close());
  const webhookUrl = () => `${server.origin}/robot/send?access_token=${accessToken}`;

  it('sends a signed markdown message the robot accepts, hostile pod name escaped', async () => {
    expect(await createDingtalkChannel({ webhookUrl: webhookUrl(), secret }).send(hostile)).toEqual({ ok: true });
    const request = server.requests.at(-1)!;
    expect(request.url.startsWith('/robot/send?access_token=')).toBe(true);
    expect(request.url).toMatch(/&timestamp=\d{13}&sign=[A-Za-z0-9%]+$/);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const payload = JSON.parse(request.body) as { msgtype: string; markdown: { title: string; text: string } };
    expect(payload.msgtype).toBe('markdown');
    expect(payload.markdown.text).toContain('pod: x\\](http:\u200b//evil)&lt;script&gt;alert(1)&lt;/script&gt;\\*bold\\*\\_it\\_\\`code\\`&amp;amp;');
    expect(payload.markdown.text).not.toContain('<script>');
    expect(payload.markdown.text).toContain('cat /proc/4242/status');
  });

  it('a wrong secret is a sign mismatch (310000): no retry; rate limit (130101): retry', async () => {
    expect(await createDingtalkChannel({ webhookUrl: webhookUrl(), secret: 'SECwrong' }).send(hostile)).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('310000') });
    server.setReply(() => ({ status: 200, body: '{"errcode":130101,"errmsg":"send too fast"}' }));
    expect(await createDingtalkChannel({ webhookUrl: webhookUrl(), secret }).send(hostile)).toMatchObject({ ok: false, retry: true });
    server.setReply(ok);
  });

  it('cuts a long message with a visible notice', async () => {
    const long = { ...hostile, facts: Array.from({ length: 2000 }, (_, i) => ({ name: `fact ${i}`, value: '1 B' })) };
    expect(await createDingtalkChannel({ webhookUrl: webhookUrl() }).send(long)).toEqual({ ok: true });
    const text = (JSON.parse(server.requests.at(-1)!.body) as { markdown: { text: string } }).markdown.text;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(DINGTALK_TEXT_MAX_BYTES);
    expect(text.endsWith('… truncated')).toBe(true);
  });

  it('HTTP rules: 429 / 500 retry, 400 not; errors show the origin only', async () => {
    await expectHttpFailureRules(server, createDingtalkChannel({ webhookUrl: webhookUrl(), secret }), hostile, accessToken, ok);
  });
});
