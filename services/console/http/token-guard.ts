/**
 * The console's access check when the host listens beyond loopback: every /api route and page wants
 * VIGIL_CONSOLE_TOKEN, as "Authorization: Bearer <token>", the vigil_console_token cookie, or
 * ?token=<token> (a page opened that way sets the cookie and drops the token from the address).
 * /healthz, /readyz and /metrics never reach guards.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const tokenCookie = 'vigil_console_token';

/** 127.0.0.0/8, ::1 and localhost serve this machine only. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(bare);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * On a loopback address no token is asked, so a web page elsewhere could reach the console through
 * a name it resolves to 127.0.0.1 (DNS rebinding) and create silences: answer only requests whose
 * Host is a loopback name or address.
 */
export function loopbackHostGuard(): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    const host = request.headers.host ?? '';
    let hostname: string;
    try {
      hostname = new URL(`http://${host}`).hostname;
    } catch {
      hostname = host;
    }
    if (isLoopback(hostname)) return;
    const message = `Host ${JSON.stringify(host)} is not this machine: on a loopback address the console answers only to localhost, 127.0.0.1 or [::1]; to serve other names, bind VIGIL_HTTP_HOST to them and set VIGIL_CONSOLE_TOKEN`;
    if (request.url.startsWith('/api/')) await reply.code(403).send({ error: 'FORBIDDEN', message });
    else await reply.code(403).type('text/plain; charset=utf-8').send(message);
  };
}

/** The guard for http.guard(): answers 401 unless the request carries the token. */
export function tokenGuard(token: string): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  const expected = digest(token);
  const valid = (candidate: string | undefined): boolean => candidate !== undefined && timingSafeEqual(digest(candidate), expected);
  return async (request, reply) => {
    const authorization = request.headers.authorization;
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : undefined;
    const url = new URL(request.url, 'http://console');
    const queryToken = url.searchParams.get('token') ?? undefined;
    if (valid(bearer) || valid(cookieValue(request.headers.cookie, tokenCookie))) return;
    if (valid(queryToken)) {
      reply.header('set-cookie', `${tokenCookie}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`);
      if (url.pathname.startsWith('/api/')) return;
      url.searchParams.delete('token');
      await reply.code(303).header('location', `${url.pathname}${url.search}`).send();
      return;
    }
    const message = 'this Vigil console requires VIGIL_CONSOLE_TOKEN: send "Authorization: Bearer <token>" or open /?token=<token>';
    if (url.pathname.startsWith('/api/')) await reply.code(401).send({ error: 'UNAUTHORIZED', message });
    else await reply.code(401).type('text/plain; charset=utf-8').send(message);
  };
}
