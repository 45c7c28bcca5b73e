/** Every service by name, for `vigil run <service>` and `vigil start`. */
import type { ServiceDefinition, ServiceName } from '../src/runtime/service.js';
import { collector } from './collector/collector.service.js';
import { detector } from './detector/detector.service.js';
import { diagnoser } from './diagnoser/diagnoser.service.js';
import { notifier } from './notifier/notifier.service.js';
import { scorer } from './scorer/scorer.service.js';

export const services: Record<ServiceName, ServiceDefinition> = {
  collector: collector as unknown as ServiceDefinition,
  detector: detector as unknown as ServiceDefinition,
  diagnoser: diagnoser as unknown as ServiceDefinition,
  scorer: scorer as unknown as ServiceDefinition,
  notifier: notifier as unknown as ServiceDefinition,
};

/** Downstream first, so consumers are subscribed before the collector produces. */
export const startOrder: ServiceName[] = ['notifier', 'scorer', 'diagnoser', 'detector', 'collector'];
