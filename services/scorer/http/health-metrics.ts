/**
 * vigil_health_score{level,cluster,node,namespace,pod}: every cluster and node, and the worst
 * `maxPods` pods, so a cluster of 10,000 nodes × 30 pods stays at ~10,200 series. Set at scrape
 * time from the model, so an entity it expired leaves /metrics too. Plus the model's size:
 * vigil_scorer_entities{level}, vigil_scorer_open_anomalies, vigil_scorer_live_reports.
 */
import { Gauge, type Registry } from 'prom-client';
import type { HealthUpdate } from '../../../src/codec/records.generated.js';
import type { HealthModel } from '../core/health-model.js';

export const defaultMaxPodSeries = 200;

export function registerHealthMetrics(registry: Registry, model: Pick<HealthModel, 'current' | 'worst' | 'stats'>, options: { maxPods?: number } = {}): () => void {
  const maxPods = options.maxPods ?? defaultMaxPodSeries;
  const name = 'vigil_health_score';
  new Gauge({
    name,
    help: `Health score 0..100 (100 = nothing wrong) of every cluster and node and of the worst ${maxPods} pods`,
    labelNames: ['level', 'cluster', 'node', 'namespace', 'pod'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const shown: HealthUpdate[] = [...model.current('CLUSTER'), ...model.current('NODE'), ...model.worst('POD', maxPods)];
      for (const { level, entity, score } of shown) {
        this.set({ level, cluster: entity.cluster, node: entity.node ?? '', namespace: entity.namespace ?? '', pod: entity.pod ?? '' }, score);
      }
    },
  });
  new Gauge({
    name: 'vigil_scorer_entities', help: 'Entities the health model tracks', labelNames: ['level'] as const, registers: [registry],
    collect() {
      for (const [level, count] of Object.entries(model.stats().entities)) this.set({ level }, count);
    },
  });
  new Gauge({
    name: 'vigil_scorer_open_anomalies', help: 'Open anomalies costing points', registers: [registry],
    collect() { this.set(model.stats().openAnomalies); },
  });
  new Gauge({
    name: 'vigil_scorer_live_reports', help: 'Diagnosis reports still costing points', registers: [registry],
    collect() { this.set(model.stats().liveReports); },
  });
  return () => {
    for (const metric of [name, 'vigil_scorer_entities', 'vigil_scorer_open_anomalies', 'vigil_scorer_live_reports']) registry.removeSingleMetric(metric);
  };
}
