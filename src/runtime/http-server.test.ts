import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from './http-server.js';

let server: HttpServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

const start = async () => (server = await startHttpServer({ port: 0, host: '127.0.0.1', registry: new Registry(), isReady: () => true }));
const url = (path: string) => `http://127.0.0.1:${server!.port}${path}`;

describe('the host HTTP server', () => {
  it('dispatches API routes by method, with :param segments and literal segments first', async () => {
    const http = await start();
    http.api.get('/api/items/:id', async (request) => ({ id: (request.params as { id: string }).id }));
    http.api.get('/api/items/expired', async () => ({ expired: true }));
    http.api.delete('/api/items/:id', async (request, reply) => reply.code(202).send({ deleted: (request.params as { id: string }).id }));
    http.api.post('/api/items', async (request) => ({ created: request.body }));

    expect(await (await fetch(url('/api/items/a%20b'))).json()).toEqual({ id: 'a b' });
    expect(await (await fetch(url('/api/items/expired'))).json()).toEqual({ expired: true });
    const deleted = await fetch(url('/api/items/7'), { method: 'DELETE' });
    expect([deleted.status, await deleted.json()]).toEqual([202, { deleted: '7' }]);
    const created = await fetch(url('/api/items'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
    expect(await created.json()).toEqual({ created: { a: 1 } });
    expect((await fetch(url('/api/items'), { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(url('/api/nothing'))).status).toBe(404);
  });

  it('removes a route when asked, serves pages for other GETs and runs guards before both', async () => {
    const http = await start();
    const remove = http.api.get('/api/x', async () => ({ x: 1 }));
    remove();
    expect((await fetch(url('/api/x'))).status).toBe(404);
    expect((await fetch(url('/console'))).status).toBe(404);
    http.servePages(async (request, reply) => reply.type('text/html').send(`<p>${request.url}</p>`));
    expect(await (await fetch(url('/console/nodes'))).text()).toBe('<p>/console/nodes</p>');
    http.guard((request, reply) => { if (request.headers.authorization !== 'Bearer t') void reply.code(401).send({ error: 'UNAUTHORIZED' }); });
    expect((await fetch(url('/console/nodes'))).status).toBe(401);
    expect((await fetch(url('/console/nodes'), { headers: { authorization: 'Bearer t' } })).status).toBe(200);
    expect((await fetch(url('/healthz'))).status).toBe(200);
  });
});
