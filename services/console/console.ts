/**
 * The web console, mounted by the scorer on the host's HTTP server: pages at /, their JSON API at
 * /api/console/…, the token guard when the server listens beyond loopback, and (in a split
 * deployment) a proxy to the notifier's silences and notifications.
 *
 * Its anomalies and reports come from its own subscriptions to `anomalies` and `diagnosis.reports`
 * in throwaway groups read from the oldest retained record, so after a restart the console shows
 * what the topics still hold, and every instance sees every partition.
 */
import os from 'node:os';
import type { Subscription } from '../../src/bus/bus.js';
import { VigilError } from '../../src/errors.js';
import type { HttpServer } from '../../src/runtime/http-server.js';
import type { Logger } from '../../src/runtime/logger.js';
import type { RecordIo } from '../../src/runtime/record-io.js';
import type { ConsoleConfig } from './console-config.js';
import { bundleDir, ensureConsoleBundle } from './bundle.js';
import { createConsoleState, type ConsoleStateOptions } from './core/console-state.js';
import { mountConsoleApi, type ConsoleHealth } from './http/console-api.js';
import { mountNotifierProxy } from './http/notifier-proxy.js';
import { pageHandler, unavailablePages } from './http/pages.js';
import { isLoopback, loopbackHostGuard, tokenGuard } from './http/token-guard.js';

export interface ConsoleDeps {
  io: RecordIo;
  http: Pick<HttpServer, 'api' | 'host' | 'port' | 'servePages' | 'guard'>;
  health: ConsoleHealth;
  logger: Logger;
  print: (line: string) => void;
  /** Consumer group prefix; each start adds a unique suffix. */
  group: string;
  state?: ConsoleStateOptions;
}

export interface MountedConsole {
  readonly url: string;
  close(): Promise<void>;
}

/** Where a person opens the console: the bound address, or this machine's name when bound to every interface. */
export function consoleUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? os.hostname() : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
}

/** Throws VIGIL_CONFIG naming VIGIL_CONSOLE_TOKEN when the server listens beyond loopback without one; call before anything starts. */
export function checkConsoleAccess(config: ConsoleConfig, host: string): void {
  if (isLoopback(host) || config.VIGIL_CONSOLE_TOKEN) return;
  throw new VigilError('VIGIL_CONFIG', `VIGIL_CONSOLE_TOKEN is required: VIGIL_HTTP_HOST=${host} is not a loopback address, and the console and /api routes must not be open to the network without a token (at least 16 characters)`);
}

/** Checks access (checkConsoleAccess), builds the bundle if needed, subscribes and mounts. */
export async function mountConsole(config: ConsoleConfig, deps: ConsoleDeps): Promise<MountedConsole> {
  const { io, http, health, logger, print } = deps;
  checkConsoleAccess(config, http.host);
  const loopback = isLoopback(http.host);
  // Without its bundle the console's pages cannot be served, but scores and the API still can.
  const pages = await ensureConsoleBundle()
    .then((built) => {
      if (built === 'built') logger.info({ dir: bundleDir }, 'console bundle built');
      return pageHandler(bundleDir);
    })
    .catch((error: unknown) => {
      const message = `the console's pages are not built and could not be built here (${(error as Error).message}); run npm run build:console`;
      logger.error({ err: error, dir: bundleDir }, message);
      return unavailablePages(message);
    });

  const state = createConsoleState(deps.state);
  const run = `${deps.group}.${process.pid}.${Date.now()}`;
  const subscriptions: Subscription[] = await Promise.all([
    io.subscribe({ topic: 'anomalies', group: `${run}.anomalies`, handler: async (anomaly) => state.onAnomaly(anomaly) }),
    io.subscribe({ topic: 'diagnosis.reports', group: `${run}.diagnosis.reports`, handler: async (report) => state.onReport(report) }),
  ]);

  const removers: (() => void)[] = [];
  try {
    removers.push(http.guard(loopback ? loopbackHostGuard() : tokenGuard(config.VIGIL_CONSOLE_TOKEN!)));
    removers.push(mountConsoleApi(http.api, state, health));
    if (config.VIGIL_NOTIFIER_URL) {
      try {
        removers.push(mountNotifierProxy(http.api, config.VIGIL_NOTIFIER_URL));
      } catch (error) {
        throw new VigilError('VIGIL_CONFIG', `VIGIL_NOTIFIER_URL=${config.VIGIL_NOTIFIER_URL}: the notifier runs in this process and serves /api/silences itself; unset VIGIL_NOTIFIER_URL (${(error as Error).message})`);
      }
    }
    removers.push(http.servePages(pages));
  } catch (error) {
    for (const remove of removers.reverse()) remove();
    await Promise.all(subscriptions.map((subscription) => subscription.close({ commit: false })));
    throw error;
  }

  const url = consoleUrl(http.host, http.port);
  print(`console: ${url}${loopback ? '' : ' (token required: VIGIL_CONSOLE_TOKEN; open it once as ?token=<token>)'}`);
  logger.info({ url, tokenRequired: !loopback, notifier: config.VIGIL_NOTIFIER_URL ?? 'this process' }, 'console serving');
  return {
    url,
    async close() {
      for (const remove of removers.reverse()) remove();
      await Promise.all(subscriptions.map((subscription) => subscription.close({ commit: false })));
    },
  };
}
