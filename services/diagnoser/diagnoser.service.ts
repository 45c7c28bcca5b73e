/** Consumes diagnosis.requests, reads the entity's Kubernetes context, runs the rule library, publishes diagnosis.reports. */
import { z } from 'zod';
import { RecentIds } from '../../src/bus/dedup.js';
import { commonConfigSchema } from '../../src/runtime/config.js';
import { entityNodeKey } from '../../src/runtime/keys.js';
import type { ServiceDefinition } from '../../src/runtime/service.js';
import { kubernetesConfigSchema } from '../collector/kubernetes/config.js';
import { kubernetesContextReaderFrom, type KubernetesContextReader } from './kubernetes/context-reader.js';
import { diagnoseWithKubernetes } from './kubernetes/diagnose-with-kubernetes.js';

export const diagnoserConfigSchema = commonConfigSchema.extend({
  VIGIL_DIAGNOSER_GROUP: z.string().min(1).default('vigil-diagnoser').describe('Consumer group of the diagnoser'),
  // The pod, its owner, container specs and statuses, events and node conditions of each request's entity.
  ...kubernetesConfigSchema.shape,
});

export type DiagnoserConfig = z.infer<typeof diagnoserConfigSchema>;

export interface DiagnoserOptions {
  /** Where the Kubernetes context comes from; by default the API the config selects (none when VIGIL_KUBERNETES=off or no cluster is configured). */
  kubernetes?: KubernetesContextReader;
}

/** The diagnoser service; `createDiagnoser({ kubernetes })` lets a test or another host choose where the Kubernetes context comes from. */
export function createDiagnoser(options: DiagnoserOptions = {}): ServiceDefinition<typeof diagnoserConfigSchema> {
  return {
    name: 'diagnoser',
    configSchema: diagnoserConfigSchema,
    async start(config, { io, logger }) {
      const kubernetes = options.kubernetes ?? await kubernetesContextReaderFrom(config);
      const seen = new RecentIds(10_000);
      const subscription = await io.subscribe({
        topic: 'diagnosis.requests',
        group: config.VIGIL_DIAGNOSER_GROUP,
        handler: async (request) => {
          if (seen.has(request.id)) return;
          // Bounded by VIGIL_KUBE_TIMEOUT_MS per API request, cached per entity; never throws.
          const context = await kubernetes.contextFor(request.entity);
          const report = diagnoseWithKubernetes(request, context);
          await io.publish('diagnosis.reports', [{ key: entityNodeKey(report.entity), value: report }]);
          seen.add(request.id);
          logger.info({ requestId: request.id, reportId: report.id, cause: report.rootCause.code, confidence: report.confidence, kubernetesMissing: context.missing.length > 0 ? context.missing : undefined }, 'diagnosed');
        },
      });
      logger.info({ group: config.VIGIL_DIAGNOSER_GROUP, kubernetes: config.VIGIL_KUBERNETES }, 'diagnoser started');
      return { name: 'diagnoser', close: () => subscription.close() };
    },
  };
}

export const diagnoser: ServiceDefinition<typeof diagnoserConfigSchema> = createDiagnoser();
