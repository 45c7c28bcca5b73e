/**
 * /healthz (process alive), /readyz (bus connected and services started), /metrics (Prometheus),
 * and /api/… routes that services add once started (the server listens before they start).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';

export type ApiHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Where a started service adds its GET routes; every path starts with /api/ and is served on the host's port. */
export interface ApiRoutes {
  /** Adds `handler` for GET `path` (exact path, query strings allowed); returns a function that removes it. */
  get(path: string, handler: ApiHandler): () => void;
}

export interface HttpServer {
  readonly port: number;
  readonly api: ApiRoutes;
  close(): Promise<void>;
}

export async function startHttpServer(options: { port: number; host?: string; registry: Registry; isReady: () => boolean }): Promise<HttpServer> {
  const app: FastifyInstance = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = options.isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.header('content-type', options.registry.contentType).send(body);
  });
  // Fastify takes no routes once listening, so /api/* dispatches to what services added since.
  const apiHandlers = new Map<string, ApiHandler>();
  app.get('/api/*', async (request, reply) => {
    const path = request.url.split('?', 1)[0]!.replace(/\/+$/, '');
    const handler = apiHandlers.get(path);
    if (!handler) return reply.code(404).send({ error: 'NOT_FOUND', message: `no route GET ${path}` });
    return handler(request, reply);
  });
  const api: ApiRoutes = {
    get(path, handler) {
      if (!path.startsWith('/api/')) throw new Error(`API routes start with /api/, got ${path}`);
      if (apiHandlers.has(path)) throw new Error(`GET ${path} is already served`);
      apiHandlers.set(path, handler);
      return () => { if (apiHandlers.get(path) === handler) apiHandlers.delete(path); };
    },
  };
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { port, api, close: () => app.close() };
}
