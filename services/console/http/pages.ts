/**
 * Serves the bundle: /assets/<file> from dist/, and index.html for every other path, so a page's
 * address (/nodes/prod/worker-7, /reports/<id>) can be bookmarked and reloaded. The files are read
 * once at mount; nothing on disk is reachable by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export function pageHandler(dir: string): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) files.set(name, readFileSync(path.join(dir, name)));
  const index = files.get('index.html');
  if (!index) throw new Error(`no index.html in ${dir}`);
  return async (request, reply) => {
    const pathname = request.url.split('?', 1)[0]!;
    if (pathname.startsWith('/assets/')) {
      const name = decodeURIComponent(pathname.slice('/assets/'.length));
      const body = files.get(name);
      if (!body || name === 'index.html') return reply.code(404).type('text/plain; charset=utf-8').send(`no asset ${name}`);
      return reply.type(contentTypes[path.extname(name)] ?? 'application/octet-stream').header('cache-control', 'no-cache').send(body);
    }
    return reply.type(contentTypes['.html']!).header('cache-control', 'no-cache').send(index);
  };
}

/** What the pages answer when the bundle is missing and cannot be built (e.g. no esbuild in a production install). */
export function unavailablePages(message: string): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  return async (_request, reply) => reply.code(503).type('text/plain; charset=utf-8').send(`Vigil console: ${message}\n`);
}
