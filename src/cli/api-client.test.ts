import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callApi } from './api-client.js';

let server: Server | undefined;
afterEach(async () => { await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined)); server = undefined; });

/** A server that wants `Bearer s3cret`, like the scorer bound beyond loopback. */
async function tokenServer(): Promise<string> {
  server = createServer((request, response) => {
    const authorized = request.headers.authorization === 'Bearer s3cret';
    response.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify(authorized ? { entities: [], method: request.method } : { error: 'UNAUTHORIZED', message: 'a token is required' }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('callApi, how vigil commands reach a running service', () => {
  it('sends the console token and says how to set it when refused without one', async () => {
    const baseUrl = await tokenServer();
    await expect(callApi({ service: 'scorer', baseUrl, path: '/api/health', token: 's3cret' })).resolves.toEqual({ entities: [], method: 'GET' });
    await expect(callApi({ service: 'scorer', baseUrl, path: '/api/health', token: '' })).rejects.toThrow('GET /api/health answered 401: a token is required (set VIGIL_CONSOLE_TOKEN');
  });

  it('names the service and URL it cannot reach', async () => {
    await expect(callApi({ service: 'notifier', baseUrl: 'http://127.0.0.1:1', path: '/api/silences' })).rejects.toThrow('cannot reach the notifier at http://127.0.0.1:1/api/silences');
  });
});
