import { describe, expect, it } from 'vitest';
import { failureFromStatus, parseRetryAfterMs } from './http.js';

const response = (status: number, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers), text: '' });

describe('HTTP delivery rules', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  it.each([
    [200, undefined],
    [202, undefined],
    [429, true],
    [408, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [404, false],
    [413, false],
  ])('HTTP %i → retry %s', (status, retry) => {
    const failure = failureFromStatus(response(status, { 'retry-after': '5' }), 'https://hooks.example.com', now);
    if (retry === undefined) return expect(failure).toBeUndefined();
    expect(failure).toMatchObject({ ok: false, retry, error: expect.stringContaining(`https://hooks.example.com: HTTP ${status}`) });
    expect(failure?.retryAfterMs).toBe(retry ? 5000 : undefined);
  });
});

describe('postJson', () => {
  it('gives up after the timeout (retry) and stops when the caller aborts (no retry), naming the origin only', async () => {
    const { createServer } = await import('node:http');
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const { postJson } = await import('./http.js');
    const url = new URL(`http://127.0.0.1:${port}/hook?token=SECRET`);
    const timedOut = await postJson(url, '{}', { timeoutMs: 100 });
    expect(timedOut).toEqual({ ok: false, retry: true, error: `POST http://127.0.0.1:${port}: timed out` });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await postJson(url, '{}', { timeoutMs: 5000, signal: controller.signal })).toEqual({ ok: false, retry: false, error: `POST http://127.0.0.1:${port}: aborted` });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
