/**
 * The console's JSON API (documented in services/console/README.md): what the pages read besides
 * /api/health…, and what a script can read too. Scores come from the scorer's model, anomalies and
 * reports from the console's state.
 */
import { z } from 'zod';
import { anomalyKindSymbols, type HealthUpdate } from '../../../src/codec/records.generated.js';
import type { ApiRoutes } from '../../../src/runtime/http-server.js';
import { entityKey } from '../../../src/runtime/keys.js';
import type { HealthModel } from '../../scorer/core/health-model.js';
import { nodeKeyOf, type ConsoleState, type ReportSummary } from '../core/console-state.js';

/** The scorer model's queries the console reads. */
export type ConsoleHealth = Pick<HealthModel, 'current' | 'worst'>;

export type EntityScore = HealthUpdate & { key: string };

/** One row of the nodes table. */
export interface NodeRow {
  key: string;
  cluster: string;
  node: string;
  score: number | null;
  grade: string | null;
  openAnomalies: number;
  lastReport: ReportSummary | null;
}

const name = z.string().trim().min(1).optional();
const anomaliesQuery = z.object({
  cluster: name, node: name, kind: z.enum(anomalyKindSymbols).optional(),
  open: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
});
const reportsQuery = z.object({ cluster: name, node: name, limit: z.coerce.number().int().min(1).max(500).default(50) });
const overviewQuery = z.object({ worst: z.coerce.number().int().min(1).max(100).default(5) });

const withKey = (update: HealthUpdate): EntityScore => ({ key: entityKey(update.entity), ...update });

function badRequest(error: z.ZodError): { error: string; message: string } {
  return { error: 'BAD_REQUEST', message: error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; ') };
}

export function nodeRows(state: ConsoleState, health: ConsoleHealth): NodeRow[] {
  const rows = new Map<string, NodeRow>();
  const row = (cluster: string, node: string): NodeRow => {
    const key = `${cluster}/${node}`;
    let found = rows.get(key);
    if (!found) {
      found = { key, cluster, node, score: null, grade: null, openAnomalies: 0, lastReport: null };
      rows.set(key, found);
    }
    return found;
  };
  for (const update of health.current('NODE')) {
    Object.assign(row(update.entity.cluster, update.entity.node!), { score: update.score, grade: update.grade });
  }
  for (const [key, count] of state.openCountsByNode()) {
    const [cluster, ...node] = key.split('/');
    row(cluster!, node.join('/')).openAnomalies = count;
  }
  for (const report of state.reports()) {
    if (report.entity.node === null) continue;
    const target = row(report.entity.cluster, report.entity.node);
    if (!target.lastReport) target.lastReport = report;
  }
  return [...rows.values()].sort((a, b) => (a.score ?? 100) - (b.score ?? 100) || a.key.localeCompare(b.key));
}

/** Adds the routes; returns a function that removes them. */
export function mountConsoleApi(api: ApiRoutes, state: ConsoleState, health: ConsoleHealth): () => void {
  const removers = [
    api.get('/api/console/overview', async (request, reply) => {
      const query = overviewQuery.safeParse(request.query);
      if (!query.success) return reply.code(400).send(badRequest(query.error));
      const openByKind = state.openCountsByKind();
      return {
        clusters: health.current('CLUSTER').map(withKey),
        openAnomalies: Object.values(openByKind).reduce((sum, count) => sum + count, 0),
        openByKind,
        worstNodes: nodeRows(state, health).slice(0, query.data.worst),
        recentReports: state.reports({ limit: 5 }),
      };
    }),
    api.get('/api/console/nodes', async () => ({ nodes: nodeRows(state, health) })),
    api.get('/api/console/nodes/:cluster/:node', async (request, reply) => {
      const { cluster, node } = request.params as { cluster: string; node: string };
      const row = nodeRows(state, health).find((candidate) => candidate.key === `${cluster}/${node}`);
      if (!row) return reply.code(404).send({ error: 'NOT_FOUND', message: `nothing is known of node ${cluster}/${node}` });
      const nodeHealth = health.current('NODE').find((update) => update.entity.cluster === cluster && update.entity.node === node);
      return {
        node: row,
        health: nodeHealth ? withKey(nodeHealth) : null,
        pods: health.current('POD').filter((update) => nodeKeyOf(update.entity) === row.key).sort((a, b) => a.score - b.score).map(withKey),
        anomalies: state.anomalies({ cluster, node }),
        reports: state.reports({ cluster, node }),
      };
    }),
    api.get('/api/console/anomalies', async (request, reply) => {
      const query = anomaliesQuery.safeParse(request.query);
      if (!query.success) return reply.code(400).send(badRequest(query.error));
      return { anomalies: state.anomalies(query.data) };
    }),
    api.get('/api/console/reports', async (request, reply) => {
      const query = reportsQuery.safeParse(request.query);
      if (!query.success) return reply.code(400).send(badRequest(query.error));
      return { reports: state.reports(query.data) };
    }),
    api.get('/api/console/reports/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const report = state.report(id);
      if (!report) return reply.code(404).send({ error: 'NOT_FOUND', message: `no report ${id} among the latest the console keeps` });
      return report;
    }),
  ];
  return () => { for (const remove of removers) remove(); };
}
