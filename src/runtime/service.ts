/**
 * A service is a value you start and close: `start(config, deps)` returns a handle whose async
 * `close()` stops consuming, finishes in-flight records and commits. `vigil start`, `vigil run` and
 * the tests build services the same way, so a test can run two detectors side by side.
 */
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { ApiRoutes, HttpServer } from './http-server.js';
import type { Logger } from './logger.js';
import type { RecordIo } from './record-io.js';

export interface ServiceDeps {
  io: RecordIo;
  logger: Logger;
  /** Wall clock in milliseconds; injected so tests control time. */
  clock: () => number;
  /** Where human-readable lines go (stdout by default). */
  print: (line: string) => void;
  /** The process's /metrics registry, for a service's own metrics (names start with vigil_<service>_). */
  registry: Registry;
  /** GET /api/… routes on the host's HTTP port; undefined when the host serves no HTTP. */
  api?: ApiRoutes;
  /** The host's HTTP server (pages, guards, bound address); undefined when the host serves no HTTP. */
  http?: Pick<HttpServer, 'api' | 'host' | 'port' | 'servePages' | 'guard'>;
}

export interface ServiceHandle {
  readonly name: string;
  close(): Promise<void>;
}

export interface ServiceDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly name: ServiceName;
  /** Environment variables of this service (merged with the common ones). */
  readonly configSchema: S;
  start(config: z.infer<S>, deps: ServiceDeps): Promise<ServiceHandle>;
}

export const serviceNames = ['collector', 'detector', 'diagnoser', 'scorer', 'notifier'] as const;
export type ServiceName = (typeof serviceNames)[number];
