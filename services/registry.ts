/**
 * Every service by name, for `vigil run <service>` and `vigil start`. Loaded on demand, so a
 * process that runs one service loads that service's code and libraries only (a collector does
 * not carry the diagnoser's Kubernetes client or the notifier's mailer).
 */
import { serviceNames, type ServiceDefinition, type ServiceName } from '../src/runtime/service.js';

const loaders: Record<ServiceName, () => Promise<ServiceDefinition>> = {
  collector: async () => (await import('./collector/collector.service.js')).collector as unknown as ServiceDefinition,
  detector: async () => (await import('./detector/detector.service.js')).detector as unknown as ServiceDefinition,
  diagnoser: async () => (await import('./diagnoser/diagnoser.service.js')).diagnoser as unknown as ServiceDefinition,
  scorer: async () => (await import('./scorer/scorer.service.js')).scorer as unknown as ServiceDefinition,
  notifier: async () => (await import('./notifier/notifier.service.js')).notifier as unknown as ServiceDefinition,
};

export function loadService(name: ServiceName): Promise<ServiceDefinition> {
  return loaders[name]();
}

/** Several services, in the order given (every service by default). */
export function loadServices(names: readonly ServiceName[] = serviceNames): Promise<ServiceDefinition[]> {
  return Promise.all(names.map(loadService));
}

/** Downstream first, so consumers are subscribed before the collector produces. */
export const startOrder: ServiceName[] = ['notifier', 'scorer', 'diagnoser', 'detector', 'collector'];
