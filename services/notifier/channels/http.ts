import type { DeliveryResult } from './channel.js';

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

export type Failure = Extract<DeliveryResult, { ok: false }>;

/** `Retry-After` as milliseconds from now: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Why a request failed without a response, without the URL (undici puts only the address in `cause`). */
function networkReason(error: unknown, timedOut: boolean): string {
  if (timedOut) return 'timed out';
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'AbortError') return 'aborted';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

/**
 * POSTs `body` with a timeout. Returns the response for any status, or a failure for network errors
 * and timeouts (retry). Errors name the URL's origin only: the path and query hold the token.
 */
export async function postJson(
  url: URL,
  body: string,
  options: { timeoutMs: number; signal?: AbortSignal; headers?: Record<string, string> },
): Promise<HttpResponse | Failure> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
      body,
      signal,
      redirect: 'manual',
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    const aborted = options.signal?.aborted === true;
    return { ok: false, retry: !aborted, error: `POST ${url.origin}: ${networkReason(error, timeout.aborted && !aborted)}` };
  }
}

/**
 * The HTTP rule every channel shares: 2xx is ok; 429 and 5xx (and 408) can succeed later, with
 * Retry-After honoured; any other status is permanent.
 */
export function failureFromStatus(response: HttpResponse, origin: string, nowMs: number = Date.now()): Failure | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  const retry = status === 429 || status === 408 || status >= 500;
  const retryAfterMs = retry ? parseRetryAfterMs(response.headers.get('retry-after'), nowMs) : undefined;
  const detail = response.text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return { ok: false, retry, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: `POST ${origin}: HTTP ${status}${detail ? ` ${detail}` : ''}` };
}

export function isFailure(value: HttpResponse | Failure): value is Failure {
  return 'ok' in value;
}

/** The JSON object a vendor answered with, or undefined when the body is not one. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The answer of a robot that reports success in its body as `errcode` (DingTalk, WeCom): 0 is ok, a
 * missing errcode may be a proxy's page (retry), and the codes in `retriable` are rate limits.
 */
export function errcodeResult(response: HttpResponse, origin: string, retriable: ReadonlySet<number>): DeliveryResult {
  const body = jsonObject(response.text);
  const errcode = typeof body?.errcode === 'number' ? body.errcode : undefined;
  if (errcode === 0) return { ok: true };
  if (errcode === undefined) return { ok: false, retry: true, error: `POST ${origin}: unexpected answer (HTTP ${response.status}, no errcode)` };
  // errmsg may echo a hint URL with the request id, never the key.
  return { ok: false, retry: retriable.has(errcode), error: `POST ${origin}: errcode ${errcode} ${String(body?.errmsg ?? '').slice(0, 200)}` };
}
