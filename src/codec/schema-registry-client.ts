/**
 * The few calls of the Confluent Schema Registry REST API Vigil needs: register a schema under a
 * subject (POST /subjects/{subject}/versions) and fetch a writer schema by id (GET
 * /schemas/ids/{id}). Plain fetch, so encoding stays synchronous once the ids are known and the
 * metrics.raw fast decoder is reused (see wire-format.ts); tests check the bytes against
 * @kafkajs/confluent-schema-registry.
 *
 * Errors: an unreachable registry or a 5xx is VIGIL_BUS (retriable); a rejected schema (409, 422)
 * or refused credentials (401, 403) is VIGIL_CONFIG; an unknown schema id is VIGIL_DECODE.
 */
import { VigilError, type ErrorCode } from '../errors.js';

export interface SchemaRegistryClientOptions {
  /** Base URL, e.g. http://schema-registry:8081 (a path prefix is kept). */
  url: string;
  username?: string;
  password?: string;
  /** Per request. Default 10000. */
  timeoutMs?: number;
}

export interface SchemaRegistryClient {
  readonly url: string;
  /** Registers `schema` (Avro JSON) under `subject`, or finds it registered; resolves with its global id. */
  register(subject: string, schema: object): Promise<number>;
  /** The schema (parsed JSON) registered with global id `id`. */
  schemaById(id: number): Promise<object>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export function schemaRegistryClient(options: SchemaRegistryClientOptions): SchemaRegistryClient {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { accept: `${CONTENT_TYPE}, application/json`, 'content-type': CONTENT_TYPE };
  if (options.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  }
  /** The URL without credentials, for messages. */
  const shownUrl = (() => {
    try {
      const parsed = new URL(base);
      parsed.username = '';
      parsed.password = '';
      return parsed.toString().replace(/\/+$/, '');
    } catch {
      return base;
    }
  })();

  async function call(method: 'GET' | 'POST', path: string, body: unknown, action: string, notFound: ErrorCode): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new VigilError('VIGIL_BUS', `${action}: Schema Registry ${shownUrl} not reachable: ${(error as Error).cause ? String((error as Error & { cause: Error }).cause.message ?? (error as Error).cause) : (error as Error).message}`, { cause: error, retriable: true });
    }
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    if (response.ok) return parsed;
    const reason = `${action}: Schema Registry ${shownUrl} answered ${response.status}${parsed.error_code ? ` (error ${String(parsed.error_code)})` : ''}: ${String(parsed.message ?? '').slice(0, 300)}`;
    if (response.status === 404) throw new VigilError(notFound, reason);
    if (response.status >= 500 || response.status === 429) throw new VigilError('VIGIL_BUS', reason, { retriable: true });
    throw new VigilError('VIGIL_CONFIG', reason);
  }

  return {
    url: shownUrl,
    async register(subject, schema) {
      const answer = await call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: JSON.stringify(schema) },
        `registering the schema of subject ${subject}`, 'VIGIL_CONFIG');
      if (typeof answer.id !== 'number') throw new VigilError('VIGIL_BUS', `registering subject ${subject}: Schema Registry ${shownUrl} answered without an id`, { retriable: true });
      return answer.id;
    },
    async schemaById(id) {
      const answer = await call('GET', `/schemas/ids/${id}`, undefined, `looking up schema id ${id}`, 'VIGIL_DECODE');
      if (answer.schemaType !== undefined && answer.schemaType !== 'AVRO') {
        throw new VigilError('VIGIL_DECODE', `schema id ${id} is a ${String(answer.schemaType)} schema, not Avro`);
      }
      if (typeof answer.schema !== 'string') throw new VigilError('VIGIL_DECODE', `schema id ${id}: Schema Registry ${shownUrl} answered without a schema`);
      try {
        return JSON.parse(answer.schema) as object;
      } catch (error) {
        throw new VigilError('VIGIL_DECODE', `schema id ${id} is not JSON: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
