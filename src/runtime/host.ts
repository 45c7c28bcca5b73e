/**
 * Runs one or more services in this process: config, logs, bus, /healthz /readyz /metrics, and an
 * orderly close. `vigil run <service>`, `vigil start` and the end-to-end tests all go through here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus } from '../bus/bus.js';
import { createBusFromConfig } from '../bus/create-bus.js';
import { prepareTopics } from '../bus/prepare-topics.js';
import { wireFormatFromConfig } from '../codec/wire-format.js';
import { commonConfigSchema, loadConfig } from './config.js';
import { startHttpServer, type HttpServer } from './http-server.js';
import { createLogger, type Logger } from './logger.js';
import { createPipelineMetrics, type PipelineMetrics } from './metrics.js';
import { createRecordIo } from './record-io.js';
import type { ServiceDefinition, ServiceHandle } from './service.js';

export interface HostOptions {
  services: ServiceDefinition[];
  env?: NodeJS.ProcessEnv;
  /** Human-readable output; stdout by default. */
  print?: (line: string) => void;
  /** A bus to use instead of one built from VIGIL_BUS (e.g. one memory bus shared by tests). */
  bus?: Bus;
  logger?: Logger;
  clock?: () => number;
  /** Serve /healthz, /readyz, /metrics (default true). */
  http?: boolean;
}

export interface Host {
  /** Resolves once the bus is connected and every service started. */
  readonly started: Promise<void>;
  isReady(): boolean;
  readonly httpPort: number | undefined;
  readonly metrics: PipelineMetrics;
  close(): Promise<void>;
}

/** Validates every service's config before anything starts, so a bad value fails fast. */
export function loadServiceConfigs(services: ServiceDefinition[], env: NodeJS.ProcessEnv): unknown[] {
  return services.map((service) => loadConfig(service.configSchema, env));
}

export async function startHost(options: HostOptions): Promise<Host> {
  const env = options.env ?? process.env;
  const common = loadConfig(commonConfigSchema, env);
  const configs = loadServiceConfigs(options.services, env);
  const name = options.services.map((service) => service.name).join('+');
  const logger = options.logger ?? createLogger({ level: common.VIGIL_LOG_LEVEL, name: `vigil-${name}` });
  const clock = options.clock ?? Date.now;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const metrics = createPipelineMetrics();
  const clientId = `vigil-${name}-${common.VIGIL_NODE}`;
  const bus = options.bus ?? createBusFromConfig(common, { clientId, logger });
  const wireFormat = wireFormatFromConfig(common);
  const ownsBus = !options.bus;

  let ready = false;
  let closing = false;
  const abort = new AbortController();
  const handles: ServiceHandle[] = [];
  const http: HttpServer | undefined = options.http === false
    ? undefined
    : await startHttpServer({ port: common.VIGIL_HTTP_PORT, host: common.VIGIL_HTTP_HOST, registry: metrics.registry, isReady: () => ready });

  const started = (async () => {
    await connectWithBackoff(bus, logger, abort.signal);
    if (closing) return;
    await prepareTopics({ config: common, busKind: bus.kind, wireFormat, clientId, logger, signal: abort.signal });
    if (closing) return;
    for (const [index, service] of options.services.entries()) {
      const serviceLogger = logger.child({ service: service.name });
      const io = createRecordIo({ bus, metrics, service: service.name, logger: serviceLogger, clock, topicPrefix: common.VIGIL_TOPIC_PREFIX, wireFormat });
      handles.push(await service.start(configs[index] as never, { io, logger: serviceLogger, clock, print, registry: metrics.registry, api: http?.api, http }));
    }
    ready = true;
    logger.info({ services: options.services.map((s) => s.name), bus: bus.kind, httpPort: http?.port }, 'ready');
  })();

  return {
    started,
    isReady: () => ready,
    httpPort: http?.port,
    metrics,
    async close() {
      if (closing) return;
      closing = true;
      ready = false;
      abort.abort();
      await started.catch(() => undefined);
      for (const handle of [...handles].reverse()) {
        await handle.close().catch((error: unknown) => logger.error({ err: error, service: handle.name }, 'close failed'));
      }
      if (ownsBus) await bus.close().catch((error: unknown) => logger.error({ err: error }, 'bus close failed'));
      await http?.close();
      logger.info('closed');
    },
  };
}

/** Broker unreachable at start: retry with capped exponential backoff, never crash-loop. */
async function connectWithBackoff(bus: Bus, logger: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await bus.connect();
      return;
    } catch (error) {
      const delayMs = Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 6));
      logger.warn({ err: error, attempt, retryInMs: delayMs, bus: bus.kind }, 'bus not reachable, retrying');
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
  }
}
