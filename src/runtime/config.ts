/**
 * Configuration comes from environment variables, validated once at start with zod. A bad value
 * stops the service with a message naming the variable (exit code 2, see cli/vigil.ts).
 */
import os from 'node:os';
import { z } from 'zod';
import { VigilError } from '../errors.js';

const brokerList = z
  .string()
  .transform((value) => value.split(',').map((broker) => broker.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1, 'expected at least one host:port'));

const optionalString = z.string().trim().min(1).optional();

/** Settings every service shares. Each service extends it with its own (see <name>.service.ts). */
export const commonConfigSchema = z.object({
  VIGIL_BUS: z.enum(['memory', 'kafka', 'rdkafka']).default('memory').describe('Message bus: memory (in-process, one process only), kafka (kafkajs) or rdkafka (node-rdkafka)'),
  KAFKA_BROKERS: brokerList.default(['localhost:9092']).describe('Comma-separated Kafka bootstrap servers (host:port), used when VIGIL_BUS is kafka or rdkafka'),
  VIGIL_CLUSTER: z.string().trim().min(1).default('local').describe('Name of the cluster this instance reports for'),
  VIGIL_NODE: z.string().trim().min(1).default(os.hostname()).describe('Name of the node this instance runs on (defaults to the host name)'),
  VIGIL_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only').default('').describe('Prefix of every topic name, e.g. "staging." to share one Kafka between installations'),
  VIGIL_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(9464).describe('Port of /healthz, /readyz, /metrics, the /api routes and the console; 0 picks a free port'),
  VIGIL_HTTP_HOST: z.string().trim().min(1).default('127.0.0.1').describe('Address the HTTP server binds to; 127.0.0.1 serves this machine only, 0.0.0.0 every interface (containers, Prometheus scraping from elsewhere)'),
  VIGIL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
});

export type CommonConfig = z.infer<typeof commonConfigSchema>;

/** Parses `env` with `schema`; on failure throws VIGIL_CONFIG naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(blankAsUnset);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = typeof issue.path[0] === 'string' ? issue.path[0] : '(environment)';
    const value = env[variable];
    return `${variable}=${value === undefined ? '(unset)' : JSON.stringify(value)}: ${issue.message}`;
  });
  throw new VigilError('VIGIL_CONFIG', `invalid configuration: ${problems.join('; ')}`);
}

/** Describes a config schema's variables for documentation (README table, compose, Helm). */
export function describeConfig(schema: z.ZodObject): { variable: string; description: string; defaultValue: string }[] {
  return Object.entries(schema.shape).map(([variable, field]) => {
    const parsed = (field as z.ZodType).safeParse(undefined);
    const defaultValue = parsed.success && parsed.data !== undefined ? JSON.stringify(parsed.data) : '';
    return { variable, description: (field as z.ZodType).description ?? '', defaultValue };
  });
}
