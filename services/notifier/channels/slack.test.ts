import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryGrowthReport } from '../core/testdata/report.js';
import { messageFromReport } from './message.js';
import { createSlackChannel, SLACK_MAX_BLOCKS, SLACK_SECTION_TEXT_MAX_CHARS } from './slack.js';
import { expectHttpFailureRules } from './testdata/http-cases.js';
import { hostilePod, startRecordingServer } from './testdata/recording-server.js';

const token = 'T000/B000/XXXXSECRETXXXX';
const hostile = messageFromReport({ ...memoryGrowthReport, entity: { ...memoryGrowthReport.entity, namespace: 'shop', pod: hostilePod } });

describe('slack channel', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  beforeAll(async () => {
    server = await startRecordingServer(() => ({ status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } }));
  });
  afterAll(() => server.close());

  it('posts Block Kit JSON that Slack accepts, hostile label values escaped', async () => {
    const channel = createSlackChannel({ webhookUrl: `${server.origin}/services/${token}` });
    expect(await channel.send(hostile)).toEqual({ ok: true });
    const request = server.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/services/${token}`);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const payload = JSON.parse(request.body) as { text: string; blocks: { type: string; text?: { type: string; text: string }; fields?: { type: string; text: string }[] }[] };
    expect(payload.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(payload.blocks.at(-1)!.type).toBe('context');
    const podField = payload.blocks.flatMap((b) => b.fields ?? []).find((f) => f.text.startsWith('*pod*'))!;
    expect(podField.type).toBe('mrkdwn');
    expect(podField.text).toContain('&lt;script&gt;');
    expect(podField.text).toContain('&amp;amp;');
    const mrkdwnTexts = [payload.text, ...payload.blocks.flatMap((b) => [...(b.text?.type === 'mrkdwn' ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)])];
    for (const text of mrkdwnTexts) {
      expect(text).not.toMatch(/[<>]script/);
      expect(text).not.toContain('*bold*');
      expect(text).not.toContain('http://evil');
    }
    // The plain_text header is not parsed for markup: the name arrives as it is.
    expect(payload.blocks[0]!.text!.text).toContain('x](http://evil)');
  });

  it('cuts long evidence at 3000 chars and blocks at 50, with a visible notice', async () => {
    const many = { ...hostile, facts: Array.from({ length: 400 }, (_, i) => ({ name: `fact ${i}`, value: `${i} B` })), links: Array.from({ length: 60 }, (_, i) => ({ title: `l${i}`, url: `https://example.com/${i}` })) };
    const channel = createSlackChannel({ webhookUrl: `${server.origin}/services/${token}` });
    expect(await channel.send(many)).toEqual({ ok: true });
    const payload = JSON.parse(server.requests.at(-1)!.body) as { blocks: { type: string; text?: { text: string } }[] };
    expect(payload.blocks.length).toBe(SLACK_MAX_BLOCKS);
    const evidence = payload.blocks.find((b) => b.text?.text.startsWith('*Evidence*'))!;
    expect(evidence.text!.text.length).toBeLessThanOrEqual(SLACK_SECTION_TEXT_MAX_CHARS);
    expect(evidence.text!.text.endsWith('… truncated')).toBe(true);
    expect(payload.blocks.at(-2)!.text!.text).toContain('… truncated');
  });

  it('retries 429 (Retry-After), 500 and network errors, not 400; errors show the origin only', async () => {
    const channel = createSlackChannel({ webhookUrl: `${server.origin}/services/${token}` });
    await expectHttpFailureRules(server, channel, hostile, token, () => ({ status: 200, body: 'ok' }));
    const down = createSlackChannel({ webhookUrl: `http://127.0.0.1:1/services/${token}`, timeoutMs: 2000 });
    const result = await down.send(hostile);
    expect(result).toMatchObject({ ok: false, retry: true });
    expect(JSON.stringify(result)).not.toContain(token);
  });

  it('reads the webhook URL from a file and rejects a config without one, without echoing values', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-slack-')), 'url');
    writeFileSync(file, `${server.origin}/services/${token}\n`);
    expect(await createSlackChannel({ webhookUrlFile: file }).send(hostile)).toEqual({ ok: true });
    expect(() => createSlackChannel({})).toThrow(/webhookUrl or webhookUrlFile is required/);
    expect(() => createSlackChannel({ webhookUrl: `ftp://x/${token}` })).toThrow(/must be http/);
    expect(() => createSlackChannel({ webhookUrl: `ftp://x/${token}` })).not.toThrow(new RegExp(token));
  });
});
