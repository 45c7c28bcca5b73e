import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryGrowthReport } from '../core/testdata/report.js';
import { messageFromReport } from './message.js';
import { createTeamsChannel, TEAMS_BODY_MAX_BYTES } from './teams.js';
import { expectHttpFailureRules } from './testdata/http-cases.js';
import { hostilePod, startRecordingServer } from './testdata/recording-server.js';

const sig = 'teams-workflow-sig-SECRET';
const hostile = messageFromReport({ ...memoryGrowthReport, entity: { ...memoryGrowthReport.entity, namespace: 'shop', pod: hostilePod } });

interface Body {
  type: string;
  attachments: { contentType: string; content: { type: string; version: string; body: { type: string; text?: string; facts?: { title: string; value: string }[] }[] } }[];
}

describe('teams channel', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const accepted = () => ({ status: 202, body: '' });
  beforeAll(async () => {
    server = await startRecordingServer(accepted);
  });
  afterAll(() => server.close());
  const webhookUrl = () => `${server.origin}/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=${sig}`;

  it('posts a message with one Adaptive Card attachment; the hostile pod name is escaped markdown', async () => {
    expect(await createTeamsChannel({ webhookUrl: webhookUrl() }).send(hostile)).toEqual({ ok: true });
    const request = server.requests.at(-1)!;
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(request.body) as Body;
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    const [attachment] = body.attachments;
    expect(attachment!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(attachment!.content.body.map((e) => e.type)).toContain('FactSet');
    const pod = attachment!.content.body.flatMap((e) => e.facts ?? []).find((f) => f.title === 'pod')!;
    expect(pod.value).toBe('x\\]\\(http:\u200b//evil\\)<script\\>alert\\(1\\)</script\\>\\*bold\\*\\_it\\_\\`code\\`&amp;');
  });

  it('stays under ~28 KB with a visible notice', async () => {
    const long = { ...hostile, facts: Array.from({ length: 2000 }, (_, i) => ({ name: `fact ${i}`, value: '1 B' })) };
    expect(await createTeamsChannel({ webhookUrl: webhookUrl() }).send(long)).toEqual({ ok: true });
    const raw = server.requests.at(-1)!.body;
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(TEAMS_BODY_MAX_BYTES);
    const card = (JSON.parse(raw) as Body).attachments[0]!.content;
    expect(card.body.at(-2)!.text).toBe('… truncated');
    expect(card.body.at(-1)!.text).toContain('report');
  });

  it('HTTP rules: 429 / 500 retry, 400 not; errors show the origin only', async () => {
    await expectHttpFailureRules(server, createTeamsChannel({ webhookUrl: webhookUrl() }), hostile, sig, accepted);
  });
});
