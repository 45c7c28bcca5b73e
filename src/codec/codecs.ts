/** One codec per topic, built from the current schema plus its published history. */
import avsc from 'avsc';
import { canonicalForm, singleObjectCodec, type SingleObjectCodec, type SingleObjectCodecOptions } from './single-object.js';
import { decodeMetricBatchBody, metricBatchCanonicalForm } from './metric-batch-decoder.js';
import { deadLetterSchemaFile, historicSchemas, readSchema, topicSchemas, type Topic } from './schemas.js';
import type {
  Anomaly, ClassifiedSeries, DeadLetter, DetectorState, DiagnosisReport, DiagnosisRequest, HealthUpdate, MetricBatch, Notification, OutboxEntry, SilenceRecord,
} from './records.generated.js';

export interface TopicRecords {
  'metrics.raw': MetricBatch;
  'series.classified': ClassifiedSeries;
  anomalies: Anomaly;
  'diagnosis.requests': DiagnosisRequest;
  'diagnosis.reports': DiagnosisReport;
  'health.updates': HealthUpdate;
  notifications: Notification;
  'notifier.silences': SilenceRecord;
  'notifier.outbox': OutboxEntry;
  'detector.state': DetectorState;
}

const cache = new Map<string, SingleObjectCodec<unknown>>();

/**
 * Hand-written decoders by schema file, used only while the file's canonical form is the one the
 * decoder was written for (a schema edit falls back to avsc, and a test says to update the decoder).
 */
const fastDecoders: Record<string, { canonicalForm: string; decodeCurrentBody: (bytes: Buffer, offset: number) => unknown }> = {
  [topicSchemas['metrics.raw']]: { canonicalForm: metricBatchCanonicalForm, decodeCurrentBody: decodeMetricBatchBody },
};

function optionsFor(file: string, schema: object): SingleObjectCodecOptions<unknown> {
  const fast = fastDecoders[file];
  if (!fast || canonicalForm(avsc.Type.forSchema(schema as avsc.Schema)) !== fast.canonicalForm) return {};
  return { decodeCurrentBody: fast.decodeCurrentBody };
}

function codecForFile<T>(file: string): SingleObjectCodec<T> {
  let codec = cache.get(file);
  if (!codec) {
    const schema = readSchema(file);
    codec = singleObjectCodec<unknown>(schema, historicSchemas(file).map((h) => h.schema), optionsFor(file, schema));
    cache.set(file, codec);
  }
  return codec as SingleObjectCodec<T>;
}

/**
 * The codec of a topic. For metrics.raw, decoded `labels` objects are frozen and may be shared
 * between samples and batches (see metric-batch-decoder.ts): copy one before changing it.
 */
export function codecFor<T extends Topic>(topic: T): SingleObjectCodec<TopicRecords[T]> {
  return codecForFile<TopicRecords[T]>(topicSchemas[topic]);
}

export function deadLetterCodec(): SingleObjectCodec<DeadLetter> {
  return codecForFile<DeadLetter>(deadLetterSchemaFile);
}
