/**
 * How a `vigil` command calls a running service's HTTP API (`vigil health`, `vigil silence`,
 * `vigil notifications`): one base URL, the console token when VIGIL_CONSOLE_TOKEN is set (a
 * server bound beyond loopback requires it), errors that say which service could not be reached.
 */
import { commonConfigSchema, loadConfig } from '../runtime/config.js';

/** The service of this machine on VIGIL_HTTP_PORT. */
export const localApiUrl = (): string => `http://127.0.0.1:${loadConfig(commonConfigSchema).VIGIL_HTTP_PORT}`;

export interface ApiCall {
  /** Which service answers, for error messages ("scorer", "notifier"). */
  service: string;
  baseUrl: string;
  method?: string;
  /** Path with its query string, e.g. /api/health?level=NODE. */
  path: string;
  body?: unknown;
  /** Bearer token; defaults to VIGIL_CONSOLE_TOKEN. */
  token?: string;
}

/** Calls the API; throws naming the URL when it cannot be reached, or with the API's message when it refuses. */
export async function callApi<T>(call: ApiCall): Promise<T> {
  const method = call.method ?? 'GET';
  const url = new URL(call.path, call.baseUrl);
  const token = call.token ?? process.env.VIGIL_CONSOLE_TOKEN?.trim();
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      signal: AbortSignal.timeout(10_000),
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
    });
  } catch (error) {
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    throw new Error(`cannot reach the ${call.service} at ${url.href} (${cause}); is vigil start or vigil run ${call.service} running, and on which VIGIL_HTTP_PORT?`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch { /* not JSON: the body as it is */ }
    const hint = response.status === 401 && !token ? ' (set VIGIL_CONSOLE_TOKEN to the token of that server)' : '';
    throw new Error(`${method} ${url.pathname} answered ${response.status}: ${message}${hint}`);
  }
  return JSON.parse(text) as T;
}
