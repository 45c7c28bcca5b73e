/** The JSON the pages read, and fetch helpers that turn an error answer into its message. */
import type { DiagnosisReport, Entity, Notification } from '../../../src/codec/records.generated.js';
import type { ConsoleAnomaly, ReportSummary } from '../core/console-state.js';
import type { NodeRow } from '../http/console-api.js';
import type { SilenceJson } from '../../notifier/api.js';
import type { EntityScore } from '../../scorer/http/health-api.js';

export type { ConsoleAnomaly, DiagnosisReport, Entity, EntityScore, NodeRow, Notification, ReportSummary };

export interface Overview {
  clusters: EntityScore[];
  openAnomalies: number;
  openByKind: Record<string, number>;
  worstNodes: NodeRow[];
  recentReports: ReportSummary[];
}

export interface NodeDetail {
  node: NodeRow;
  health: EntityScore | null;
  pods: EntityScore[];
  anomalies: ConsoleAnomaly[];
  reports: ReportSummary[];
}

export interface HealthHistory {
  key: string;
  retentionMinutes: number;
  points: { timestampMs: number; score: number; grade: string }[];
}

/** The notifier's silence (GET/POST/DELETE /api/silences). */
export type Silence = SilenceJson;

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message = (body as { message?: string } | undefined)?.message ?? (text || response.statusText);
    throw new ApiError(response.status, `${response.status}: ${message}`);
  }
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function sendJson<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return answer<T>(await fetch(path, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
}

export function historyPath(entity: Entity): string {
  const query = new URLSearchParams({ cluster: entity.cluster });
  for (const field of ['node', 'namespace', 'pod'] as const) {
    const value = entity[field];
    if (value !== null) query.set(field, value);
  }
  return `/api/health/history?${query}`;
}
