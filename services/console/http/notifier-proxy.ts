/**
 * In a split deployment the notifier serves silences and notifications in its own process: the
 * console forwards /api/silences… and /api/notifications to VIGIL_NOTIFIER_URL, so the pages (and
 * scripts) use one address. Status and body come back as the notifier sent them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiRoutes } from '../../../src/runtime/http-server.js';

const timeoutMs = 10_000;

export function mountNotifierProxy(api: ApiRoutes, notifierUrl: string): () => void {
  const forward = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const target = new URL(request.url, notifierUrl);
    const hasBody = request.method === 'POST' || request.method === 'PUT';
    let response: Response;
    try {
      response = await fetch(target, {
        method: request.method,
        headers: hasBody ? { 'content-type': 'application/json' } : {},
        body: hasBody ? JSON.stringify(request.body ?? {}) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
      return reply.code(502).send({ error: 'NOTIFIER_UNREACHABLE', message: `the notifier at ${notifierUrl} (VIGIL_NOTIFIER_URL) did not answer ${request.method} ${target.pathname}: ${reason}` });
    }
    const body = await response.text();
    return reply.code(response.status).type(response.headers.get('content-type') ?? 'application/json').send(body);
  };
  const removers = [
    api.get('/api/silences', forward),
    api.post('/api/silences', forward),
    api.delete('/api/silences/:id', forward),
    api.get('/api/notifications', forward),
  ];
  return () => { for (const remove of removers) remove(); };
}
