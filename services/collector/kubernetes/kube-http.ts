/**
 * GET requests to the Kubernetes API with the cluster, credentials, TLS and proxy settings of a
 * @kubernetes/client-node KubeConfig (applyToHTTPSOptions), over node:http(s) so that every request
 * has a deadline and can be aborted. client-node 1.4's own Watch cannot do either: it overwrites its
 * 30 s timeout signal with an abort signal it never exposes before the response arrives, so a
 * server that accepts the connection and never answers holds the watch forever.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A non-2xx answer, with the API's Status message when it sent one. */
export class KubeHttpError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
  ) {
    super(message);
    this.name = 'KubeHttpError';
  }
}

/** The server the KubeConfig points at, for messages. */
export function serverOf(kubeConfig: KubeConfig): string {
  return kubeConfig.getCurrentCluster()?.server ?? '(no current cluster)';
}

/**
 * Opens GET `path?query` and resolves with the response once its status line and headers arrived
 * (status 200), or rejects: KubeHttpError for another status, an AbortError when `signal` fires.
 */
export async function openKubeGet(kubeConfig: KubeConfig, path: string, query: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new KubeHttpError('the kubeconfig has no current cluster', undefined);
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kubeConfig.applyToHTTPSOptions(options);
  signal.throwIfAborted();
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { ...options, signal }, (response) => {
      if (response.statusCode === 200) {
        resolve(response);
        return;
      }
      readBody(response)
        .then((body) => reject(new KubeHttpError(`HTTP ${response.statusCode}: ${statusMessage(body)}`, response.statusCode)))
        .catch(reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** GET `path?query` as parsed JSON, the whole exchange bounded by `timeoutMs`. */
export async function getKubeJson(kubeConfig: KubeConfig, path: string, query: Record<string, string>, timeoutMs: number): Promise<unknown> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await openKubeGet(kubeConfig, path, query, signal);
    return JSON.parse(await readBody(response)) as unknown;
  } catch (error) {
    if (signal.aborted) throw new KubeHttpError(`no answer within ${timeoutMs} ms`, undefined);
    throw error;
  }
}

export async function readBody(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The `message` of a metav1.Status body, else the body's start. */
function statusMessage(body: string): string {
  try {
    const status = JSON.parse(body) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200) || '(empty body)';
}
