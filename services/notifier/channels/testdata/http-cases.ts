import { expect } from 'vitest';
import type { Channel, NotificationMessage } from '../channel.js';
import type { startRecordingServer } from './recording-server.js';

type Server = Awaited<ReturnType<typeof startRecordingServer>>;

/**
 * The HTTP rule every channel shares, against the channel's real server: 429 with Retry-After in
 * seconds and as an HTTP date, 500 → retry; 400 → no retry; a refused connection → retry; and the
 * error names the origin only, never the token in the path or query.
 */
export async function expectHttpFailureRules(server: Server, channel: Channel, message: NotificationMessage, secretInUrl: string, ok: () => { status: number; body?: string }) {
  server.setReply(() => ({ status: 429, headers: { 'retry-after': '7' }, body: '{}' }));
  const limited = await channel.send(message);
  expect(limited).toMatchObject({ ok: false, retry: true, retryAfterMs: 7000 });

  const at = new Date(Date.now() + 60_000).toUTCString();
  server.setReply(() => ({ status: 429, headers: { 'retry-after': at }, body: '{}' }));
  const dated = await channel.send(message);
  expect(dated).toMatchObject({ ok: false, retry: true });
  expect(dated.ok === false && dated.retryAfterMs).toBeGreaterThan(50_000);

  server.setReply(() => ({ status: 500, body: 'oops' }));
  expect(await channel.send(message)).toMatchObject({ ok: false, retry: true });

  server.setReply(() => ({ status: 400, body: 'invalid_payload' }));
  const bad = await channel.send(message);
  expect(bad).toMatchObject({ ok: false, retry: false });
  expect(bad.ok === false && bad.error).toContain(server.origin);
  for (const result of [limited, dated, bad]) expect(JSON.stringify(result)).not.toContain(secretInUrl);

  server.setReply(ok);
}
