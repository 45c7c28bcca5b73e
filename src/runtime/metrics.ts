/** What every service shows on /metrics: records in / out / to DLQ per topic, handler latency, lag. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface PipelineMetrics {
  readonly registry: Registry;
  recordIn(topic: string, group: string): void;
  recordOut(topic: string, count?: number): void;
  recordDeadLettered(topic: string, group: string, errorCode: string): void;
  handlerSeconds(topic: string, group: string, seconds: number): void;
  /** Event-time lag: how far behind the newest record handled is, in seconds. */
  consumerLagSeconds(topic: string, group: string, seconds: number): void;
}

export function createPipelineMetrics(options: { defaultMetrics?: boolean } = {}): PipelineMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  const recordsIn = new Counter({ name: 'vigil_records_in_total', help: 'Records consumed', labelNames: ['topic', 'group'], registers: [registry] });
  const recordsOut = new Counter({ name: 'vigil_records_out_total', help: 'Records produced and acknowledged', labelNames: ['topic'], registers: [registry] });
  const deadLettered = new Counter({ name: 'vigil_records_dead_lettered_total', help: 'Records set aside to <topic>.dlq', labelNames: ['topic', 'group', 'code'], registers: [registry] });
  const handlerDuration = new Histogram({
    name: 'vigil_handler_duration_seconds', help: 'Time to handle one record, outputs acknowledged', labelNames: ['topic', 'group'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry],
  });
  const lag = new Gauge({ name: 'vigil_consumer_lag_seconds', help: 'Now minus the timestamp of the last record handled', labelNames: ['topic', 'group'], registers: [registry] });
  return {
    registry,
    recordIn: (topic, group) => recordsIn.inc({ topic, group }),
    recordOut: (topic, count = 1) => recordsOut.inc({ topic }, count),
    recordDeadLettered: (topic, group, code) => deadLettered.inc({ topic, group, code }),
    handlerSeconds: (topic, group, seconds) => handlerDuration.observe({ topic, group }, seconds),
    consumerLagSeconds: (topic, group, seconds) => lag.set({ topic, group }, Math.max(0, seconds)),
  };
}
