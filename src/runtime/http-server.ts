/**
 * /healthz (process alive), /readyz (bus connected and services started), /metrics (Prometheus),
 * and /api/… routes that services add once started (the server listens before they start).
 * Fastify takes no routes once listening, so /api/* dispatches to a table services add to.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';

export type ApiHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Where a started service adds its routes; every path starts with /api/ and is served on the host's
 * port. A segment written `:name` matches any one segment, readable as `request.params.name`.
 * Each method returns a function that removes the route.
 */
export interface ApiRoutes {
  get(path: string, handler: ApiHandler): () => void;
  post(path: string, handler: ApiHandler): () => void;
  put(path: string, handler: ApiHandler): () => void;
  delete(path: string, handler: ApiHandler): () => void;
}

/** Serves what is not /api, /healthz, /readyz or /metrics (the console's pages); one per server. */
export type PageHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface HttpServer {
  readonly port: number;
  /** The address the server is bound to (e.g. "0.0.0.0", "127.0.0.1"). */
  readonly host: string;
  readonly api: ApiRoutes;
  /** Sets the handler of every other GET path; returns a function that removes it. */
  servePages(handler: PageHandler): () => void;
  /** Runs before every /api and page request; a reply sent here ends the request (e.g. 401). */
  guard(check: (request: FastifyRequest, reply: FastifyReply) => Promise<void> | void): () => void;
  close(): Promise<void>;
}

interface Route {
  method: ApiMethod;
  segments: string[];
  handler: ApiHandler;
}

const splitPath = (path: string): string[] => path.split('/').filter(Boolean);

function matchRoute(route: Route, segments: string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, pattern] of route.segments.entries()) {
    const actual = segments[index]!;
    if (pattern.startsWith(':')) params[pattern.slice(1)] = decodeURIComponent(actual);
    else if (pattern !== actual) return undefined;
  }
  return params;
}

export async function startHttpServer(options: { port: number; host?: string; registry: Registry; isReady: () => boolean }): Promise<HttpServer> {
  const app: FastifyInstance = Fastify({ logger: false });
  const host = options.host ?? '0.0.0.0';
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = options.isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.header('content-type', options.registry.contentType).send(body);
  });

  const routes: Route[] = [];
  let pages: PageHandler | undefined;
  const guards = new Set<(request: FastifyRequest, reply: FastifyReply) => Promise<void> | void>();

  async function guarded(request: FastifyRequest, reply: FastifyReply, next: () => Promise<unknown>): Promise<unknown> {
    for (const check of guards) {
      await check(request, reply);
      if (reply.sent) return reply;
    }
    return next();
  }

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: '/api/*',
    handler: async (request, reply) => guarded(request, reply, async () => {
      const path = request.url.split('?', 1)[0]!;
      const segments = splitPath(path);
      let pathKnown = false;
      for (const route of routes) {
        const params = matchRoute(route, segments);
        if (!params) continue;
        pathKnown = true;
        if (route.method !== request.method) continue;
        (request as { params: unknown }).params = params;
        return route.handler(request, reply);
      }
      if (pathKnown) return reply.code(405).send({ error: 'METHOD_NOT_ALLOWED', message: `${request.method} ${path} is not served` });
      return reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${request.method} ${path}` });
    }),
  });
  app.setNotFoundHandler(async (request, reply) => {
    if (request.method !== 'GET' || !pages) return reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?', 1)[0]}` });
    const handler = pages;
    return guarded(request, reply, () => handler(request, reply));
  });

  const add = (method: ApiMethod) => (path: string, handler: ApiHandler): (() => void) => {
    if (!path.startsWith('/api/')) throw new Error(`API routes start with /api/, got ${path}`);
    const segments = splitPath(path);
    const clash = routes.find((route) => route.method === method && route.segments.join('/') === segments.join('/'));
    if (clash) throw new Error(`${method} ${path} is already served`);
    const route: Route = { method, segments, handler };
    // Literal segments win over :params, so /api/silences/expired is not taken for /api/silences/:id.
    routes.push(route);
    routes.sort((a, b) => specificity(b) - specificity(a));
    return () => {
      const index = routes.indexOf(route);
      if (index >= 0) routes.splice(index, 1);
    };
  };
  const api: ApiRoutes = { get: add('GET'), post: add('POST'), put: add('PUT'), delete: add('DELETE') };

  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    host,
    api,
    servePages(handler) {
      if (pages) throw new Error('pages are already served');
      pages = handler;
      return () => { if (pages === handler) pages = undefined; };
    },
    guard(check) {
      guards.add(check);
      return () => { guards.delete(check); };
    },
    close: () => app.close(),
  };
}

function specificity(route: Route): number {
  return route.segments.reduce((score, segment) => score * 2 + (segment.startsWith(':') ? 0 : 1), 1);
}
