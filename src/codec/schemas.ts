/** The .avsc files under schemas/: the contract with every downstream reader. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const schemasDir = fileURLToPath(new URL('../../schemas/', import.meta.url));
export const schemaHistoryDir = path.join(schemasDir, 'history');

/** Topics of the pipeline and the schema file each carries. Dead-letter topics are `<topic>.dlq`. */
export const topicSchemas = {
  'metrics.raw': 'metrics.raw.avsc',
  'series.classified': 'series.classified.avsc',
  anomalies: 'anomalies.avsc',
  'diagnosis.requests': 'diagnosis.requests.avsc',
  'diagnosis.reports': 'diagnosis.reports.avsc',
  'health.updates': 'health.updates.avsc',
  notifications: 'notifications.avsc',
  'notifier.silences': 'notifier.silences.avsc',
  'notifier.outbox': 'notifier.outbox.avsc',
  /** The detector's state snapshots per metrics.raw partition (key <group>/<partition>): compacted, kept forever. */
  'detector.state': 'detector.state.avsc',
} as const;

export type Topic = keyof typeof topicSchemas;
export const topics = Object.keys(topicSchemas) as Topic[];
export const deadLetterSchemaFile = 'dead-letter.avsc';

export function readSchema(file: string, dir = schemasDir): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
}

/** Earlier published versions of a schema file: schemas/history/<name>.v<N>.avsc, oldest first. */
export function historicSchemas(file: string): { version: number; schema: Record<string, unknown> }[] {
  if (!existsSync(schemaHistoryDir)) return [];
  const stem = file.replace(/\.avsc$/, '');
  return readdirSync(schemaHistoryDir)
    .map((name) => ({ name, match: new RegExp(`^${stem.replace(/\./g, '\\.')}\\.v(\\d+)\\.avsc$`).exec(name) }))
    .filter((entry) => entry.match)
    .map((entry) => ({ version: Number(entry.match![1]), schema: readSchema(entry.name, schemaHistoryDir) }))
    .sort((a, b) => a.version - b.version);
}
