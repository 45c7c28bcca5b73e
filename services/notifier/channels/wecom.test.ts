import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryGrowthReport } from '../core/testdata/report.js';
import { messageFromReport } from './message.js';
import { expectHttpFailureRules } from './testdata/http-cases.js';
import { hostilePod, startRecordingServer } from './testdata/recording-server.js';
import { createWecomChannel, WECOM_MARKDOWN_MAX_BYTES } from './wecom.js';

const key = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const hostile = messageFromReport({ ...memoryGrowthReport, entity: { ...memoryGrowthReport.entity, namespace: 'shop', pod: hostilePod } });

describe('wecom channel', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const ok = () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
  beforeAll(async () => {
    // What WeCom checks: the key, a JSON body with msgtype markdown and content within 4096 bytes.
    server = await startRecordingServer((request) => {
      if (new URL(request.url, 'http://x').searchParams.get('key') !== key) return { status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' };
      const body = JSON.parse(request.body) as { msgtype: string; markdown?: { content: string } };
      if (body.msgtype !== 'markdown' || !body.markdown) return { status: 200, body: '{"errcode":40008,"errmsg":"invalid message type"}' };
      if (Buffer.byteLength(body.markdown.content) > 4096) return { status: 200, body: '{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}' };
      return ok();
    });
  });
  afterAll(() => server.close());
  const webhookUrl = (k = key) => `${server.origin}/cgi-bin/webhook/send?key=${k}`;

  it('sends markdown the robot accepts, hostile pod name escaped', async () => {
    expect(await createWecomChannel({ webhookUrl: webhookUrl() }).send(hostile)).toEqual({ ok: true });
    const request = server.requests.at(-1)!;
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const content = (JSON.parse(request.body) as { markdown: { content: string } }).markdown.content;
    expect(content).toContain('pod: <font color="comment">x\\](http:\u200b//evil)&lt;script&gt;alert(1)&lt;/script&gt;\\*bold\\*\\_it\\_\\`code\\`&amp;amp;</font>');
    expect(content).not.toContain('<script>');
  });

  it('cuts at 4096 UTF-8 bytes with a visible notice, multi-byte text included', async () => {
    const long = { ...hostile, facts: Array.from({ length: 400 }, (_, i) => ({ name: `内存事实 ${i}`, value: '1 B' })) };
    expect(await createWecomChannel({ webhookUrl: webhookUrl() }).send(long)).toEqual({ ok: true });
    const content = (JSON.parse(server.requests.at(-1)!.body) as { markdown: { content: string } }).markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
    expect(content.endsWith('… truncated')).toBe(true);
    expect(content).not.toContain('\ufffd');
  });

  it('errcode: invalid key (93000) no retry; rate limited (45009) retry', async () => {
    expect(await createWecomChannel({ webhookUrl: webhookUrl('wrong') }).send(hostile)).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('93000') });
    server.setReply(() => ({ status: 200, body: '{"errcode":45009,"errmsg":"api freq out of limit"}' }));
    const limited = await createWecomChannel({ webhookUrl: webhookUrl() }).send(hostile);
    expect(limited).toMatchObject({ ok: false, retry: true });
    expect(JSON.stringify(limited)).not.toContain(key);
    server.setReply(ok);
  });

  it('HTTP rules: 429 / 500 retry, 400 not; errors show the origin only', async () => {
    await expectHttpFailureRules(server, createWecomChannel({ webhookUrl: webhookUrl() }), hostile, key, ok);
  });
});
