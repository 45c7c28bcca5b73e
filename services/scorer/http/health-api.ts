/**
 * The scorer's JSON API (documented in services/scorer/README.md, read by `vigil health` and the
 * console): current scores, the worst entities, and one entity's score history.
 */
import { z } from 'zod';
import { healthLevelSymbols, type Entity, type HealthUpdate } from '../../../src/codec/records.generated.js';
import type { ApiRoutes } from '../../../src/runtime/http-server.js';
import { entityKey } from '../../../src/runtime/keys.js';
import type { HealthModel } from '../core/health-model.js';

/** What the API reads: the model's queries. */
export type HealthReadModel = Pick<HealthModel, 'current' | 'worst' | 'history'>;

/** One entity's score as the API returns it: the health update plus its key. */
export type EntityScore = HealthUpdate & { key: string };

export const maxWorstLimit = 1_000;

const level = z.enum(healthLevelSymbols).optional();
const name = z.string().trim().min(1).optional();
const currentQuery = z.object({ level });
const worstQuery = z.object({ level, limit: z.coerce.number().int().min(1).max(maxWorstLimit).default(10) });
const historyQuery = z.object({ cluster: z.string().trim().min(1), node: name, namespace: name, pod: name, container: name });

const withKey = (update: HealthUpdate): EntityScore => ({ key: entityKey(update.entity), ...update });

function badRequest(error: z.ZodError): { error: string; message: string } {
  return { error: 'BAD_REQUEST', message: error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; ') };
}

/** Adds the routes to the host's HTTP server; returns a function that removes them. */
export function mountHealthApi(api: ApiRoutes, model: HealthReadModel, options: { historyMinutes: number }): () => void {
  const removers = [
    api.get('/api/health', async (request, reply) => {
      const query = currentQuery.safeParse(request.query);
      if (!query.success) return reply.code(400).send(badRequest(query.error));
      return { level: query.data.level ?? null, entities: model.current(query.data.level).map(withKey) };
    }),
    api.get('/api/health/worst', async (request, reply) => {
      const query = worstQuery.safeParse(request.query);
      if (!query.success) return reply.code(400).send(badRequest(query.error));
      return { level: query.data.level ?? null, limit: query.data.limit, entities: model.worst(query.data.level, query.data.limit).map(withKey) };
    }),
    api.get('/api/health/history', async (request, reply) => {
      const query = historyQuery.safeParse(request.query);
      if (!query.success) return reply.code(400).send(badRequest(query.error));
      const { cluster, node, namespace, pod, container } = query.data;
      const entity: Entity = { cluster, node: node ?? null, namespace: namespace ?? null, pod: pod ?? null, container: container ?? null };
      const points = model.history(entity);
      if (!points) return reply.code(404).send({ error: 'NOT_FOUND', message: `no score for ${entityKey(entity)} within the last ${options.historyMinutes} minutes` });
      return { key: entityKey(entity), entity, retentionMinutes: options.historyMinutes, points };
    }),
  ];
  return () => { for (const remove of removers) remove(); };
}
