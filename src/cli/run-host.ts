/** Runs services in this process until SIGTERM / SIGINT: `vigil start` and `vigil run <service>`. */
import { VigilError } from '../errors.js';
import { startHost, type Host } from '../runtime/host.js';
import { serviceNames, type ServiceDefinition, type ServiceName } from '../runtime/service.js';

const SHUTDOWN_BUDGET_MS = 10_000;

export function parseServiceName(value: string): ServiceName {
  if (!(serviceNames as readonly string[]).includes(value)) throw new VigilError('VIGIL_CONFIG', `unknown service ${JSON.stringify(value)}: expected one of ${serviceNames.join(', ')}`);
  return value as ServiceName;
}

export async function runHost(definitions: ServiceDefinition[]): Promise<void> {
  let host: Host;
  try {
    host = await startHost({ services: definitions });
  } catch (error) {
    if (error instanceof VigilError && error.code === 'VIGIL_CONFIG') {
      process.stderr.write(`vigil: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`vigil: ${signal}, stopping\n`);
    const deadline = setTimeout(() => {
      process.stderr.write(`vigil: did not stop within ${SHUTDOWN_BUDGET_MS / 1000} s\n`);
      process.exit(1);
    }, SHUTDOWN_BUDGET_MS);
    deadline.unref();
    host.close().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`vigil: close failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await host.started;
}
