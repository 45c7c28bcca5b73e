/**
 * What the deployment files may say about each service, read from the code: its environment
 * variables (commonConfigSchema + the service's configSchema, the zod schemas `vigil run` parses),
 * their defaults, and the HTTP port. docker-compose.yml, the Helm chart's values.schema.json and the
 * deploy tests all take them from here, so a renamed or removed variable fails a test instead of
 * being silently ignored by a container.
 */
import type { z } from 'zod';
import { loadServices } from '../services/registry.js';
import type { ServiceDefinition } from '../src/runtime/service.js';
import { commonConfigSchema, describeConfig, loadConfig } from '../src/runtime/config.js';
import { serviceNames, type ServiceName } from '../src/runtime/service.js';

const services = Object.fromEntries((await loadServices()).map((service) => [service.name, service])) as Record<ServiceName, ServiceDefinition>;

export { serviceNames, type ServiceName };

export function isServiceName(name: string): name is ServiceName {
  return (serviceNames as readonly string[]).includes(name);
}

/** The zod schema `vigil run <service>` validates its environment with. */
export function serviceConfigSchema(service: ServiceName): z.ZodObject {
  return services[service].configSchema;
}

/** Every variable the service reads, common ones included. */
export function serviceVariables(service: ServiceName): string[] {
  return describeConfig(serviceConfigSchema(service)).map((entry) => entry.variable);
}

/** Variables every service reads (commonConfigSchema). */
export function commonVariables(): string[] {
  return describeConfig(commonConfigSchema).map((entry) => entry.variable);
}

/** The port the service serves /healthz, /readyz and /metrics on when VIGIL_HTTP_PORT is unset. */
export function defaultHttpPort(): number {
  return loadConfig(commonConfigSchema, {}).VIGIL_HTTP_PORT;
}

/**
 * Parses a service's environment as `vigil run` would; throws VIGIL_CONFIG naming the variable.
 * Variables the service does not read are reported too (a container would ignore them silently).
 */
export function checkServiceEnvironment(service: ServiceName, env: Record<string, string>): z.infer<z.ZodObject> {
  const known = new Set(serviceVariables(service));
  const unknown = Object.keys(env).filter((variable) => !known.has(variable));
  if (unknown.length > 0) throw new Error(`${service} does not read ${unknown.join(', ')}`);
  return loadConfig(serviceConfigSchema(service), env);
}
