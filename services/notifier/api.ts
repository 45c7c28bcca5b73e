/**
 * The notifier's HTTP API on the host's server (the contract the console and `vigil silence` use):
 *   GET    /api/silences                  → {silences: [silence]}
 *   POST   /api/silences {matchers, startsAt?, endsAt? | duration?, createdBy, comment} → 201 silence
 *   DELETE /api/silences/:id              → 200 silence (status expired) | 404
 *   GET    /api/notifications?since=&limit= → {notifications: [record + recordedAt], newest first}
 * A bad request is 400 {error, message} whose message starts with the bad field.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiRoutes } from '../../src/runtime/http-server.js';
import { parseDuration } from './core/routing/config.js';
import { formatMatcher } from './core/routing/matchers.js';
import { listSilences, silenceStatus, type Silence, type SilenceInput } from './core/routing/silence.js';
import type { NotificationHistory } from './history.js';
import type { SilenceStore } from './silence-store.js';

export interface SilenceJson {
  id: string;
  matchers: string[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: 'pending' | 'active' | 'expired';
}

export function silenceJson(silence: Silence, nowMs: number): SilenceJson {
  return {
    id: silence.id,
    matchers: silence.matchers.map(formatMatcher),
    startsAt: new Date(silence.startsAtMs).toISOString(),
    endsAt: new Date(silence.endsAtMs).toISOString(),
    createdBy: silence.createdBy,
    comment: silence.comment,
    status: silenceStatus(silence, nowMs),
  };
}

class BadRequest extends Error {}

function isoTime(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new BadRequest(`${field}: expected an ISO 8601 time such as 2026-11-25T18:00:00Z`);
  return ms;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new BadRequest(`${field}: required, a string`);
  return value;
}

/** The silence a POST body asks for; throws BadRequest naming the field. */
export function silenceInputFromBody(body: unknown, nowMs: number): SilenceInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('body: expected a JSON object');
  const fields = body as Record<string, unknown>;
  const matchers = fields.matchers;
  if (!Array.isArray(matchers) || !matchers.every((matcher) => typeof matcher === 'string')) throw new BadRequest('matchers: expected an array of strings like "namespace=payments" or "pod=~ledger-.*"');
  const startsAtMs = isoTime(fields.startsAt, 'startsAt') ?? nowMs;
  let endsAtMs = isoTime(fields.endsAt, 'endsAt');
  if (fields.duration !== undefined && fields.duration !== null) {
    if (endsAtMs !== undefined) throw new BadRequest('duration: give endsAt or duration, not both');
    const durationMs = typeof fields.duration === 'string' ? parseDuration(fields.duration) : undefined;
    if (durationMs === undefined || durationMs <= 0) throw new BadRequest('duration: expected a duration like 30m, 2h or 1d');
    endsAtMs = startsAtMs + durationMs;
  }
  if (endsAtMs === undefined) throw new BadRequest('endsAt: required (or duration)');
  return { matchers: matchers as string[], startsAtMs, endsAtMs, createdBy: text(fields.createdBy, 'createdBy'), comment: text(fields.comment, 'comment') };
}

/** `since` as an ISO time or a duration back from now (`1h`); undefined = everything kept. */
export function sinceMs(value: unknown, nowMs: number): number {
  if (value === undefined || value === '') return 0;
  if (typeof value !== 'string') throw new BadRequest('since: expected an ISO 8601 time or a duration like 1h');
  const durationMs = parseDuration(value);
  if (durationMs !== undefined) return nowMs - durationMs;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new BadRequest('since: expected an ISO 8601 time or a duration like 1h');
  return ms;
}

function badRequest(reply: FastifyReply, error: string, message: string) {
  return reply.code(400).send({ error, message });
}

export function registerNotifierApi(api: ApiRoutes, deps: { silences: SilenceStore; history: NotificationHistory; clock: () => number }): () => void {
  const { silences, history, clock } = deps;
  const removers = [
    api.get('/api/silences', async () => {
      const nowMs = clock();
      return { silences: listSilences(silences.state(), nowMs).map((silence) => silenceJson(silence, nowMs)) };
    }),
    api.post('/api/silences', async (request: FastifyRequest, reply: FastifyReply) => {
      let input: SilenceInput;
      try {
        input = silenceInputFromBody(request.body, clock());
      } catch (error) {
        if (error instanceof BadRequest) return badRequest(reply, 'INVALID_SILENCE', error.message);
        throw error;
      }
      const result = await silences.create(input);
      if (!result.ok) return badRequest(reply, 'INVALID_SILENCE', result.error);
      return reply.code(201).send(silenceJson(result.silence, clock()));
    }),
    api.delete('/api/silences/:id', async (request: FastifyRequest, reply: FastifyReply) => {
      const { id } = request.params as { id: string };
      if (!silences.state().silences[id]) return reply.code(404).send({ error: 'NOT_FOUND', message: `no silence ${id}` });
      const result = await silences.expire(id);
      if (!result.ok) return reply.code(409).send({ error: 'CONFLICT', message: result.error });
      return silenceJson(result.silence, clock());
    }),
    api.get('/api/notifications', async (request: FastifyRequest, reply: FastifyReply) => {
      const query = request.query as Record<string, unknown>;
      let since: number;
      try {
        since = sinceMs(query.since, Date.now());
      } catch (error) {
        if (error instanceof BadRequest) return badRequest(reply, 'INVALID_QUERY', error.message);
        throw error;
      }
      const limit = query.limit === undefined ? 100 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return badRequest(reply, 'INVALID_QUERY', 'limit: expected an integer from 1 to 10000');
      return { notifications: history.list(since, limit).map((entry) => ({ ...entry.record, recordedAt: new Date(entry.recordedAtMs).toISOString() })) };
    }),
  ];
  return () => { for (const remove of removers) remove(); };
}
