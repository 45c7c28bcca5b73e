/** One codec per topic, built from the current schema plus its published history. */
import { singleObjectCodec, type SingleObjectCodec } from './single-object.js';
import { deadLetterSchemaFile, historicSchemas, readSchema, topicSchemas, type Topic } from './schemas.js';
import type {
  Anomaly, ClassifiedSeries, DeadLetter, DiagnosisReport, DiagnosisRequest, HealthUpdate, MetricBatch, Notification,
} from './records.generated.js';

export interface TopicRecords {
  'metrics.raw': MetricBatch;
  'series.classified': ClassifiedSeries;
  anomalies: Anomaly;
  'diagnosis.requests': DiagnosisRequest;
  'diagnosis.reports': DiagnosisReport;
  'health.updates': HealthUpdate;
  notifications: Notification;
}

const cache = new Map<string, SingleObjectCodec<unknown>>();

function codecForFile<T>(file: string): SingleObjectCodec<T> {
  let codec = cache.get(file);
  if (!codec) {
    codec = singleObjectCodec<unknown>(readSchema(file), historicSchemas(file).map((h) => h.schema));
    cache.set(file, codec);
  }
  return codec as SingleObjectCodec<T>;
}

export function codecFor<T extends Topic>(topic: T): SingleObjectCodec<TopicRecords[T]> {
  return codecForFile<TopicRecords[T]>(topicSchemas[topic]);
}

export function deadLetterCodec(): SingleObjectCodec<DeadLetter> {
  return codecForFile<DeadLetter>(deadLetterSchemaFile);
}
