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

/** "true"/"false" (also 1/0, yes/no): z.coerce.boolean would read "false" as true. */
const flag = (defaultValue: boolean) => z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], 'expected true or false')
  .transform((value) => value === 'true' || value === '1' || value === 'yes')
  .default(defaultValue);

/**
 * Variables whose values are secrets: never echoed in an error message or a log line. Matched by
 * name, so every service's passwords and tokens are covered (KAFKA_SASL_PASSWORD, VIGIL_…_SECRET).
 */
export function isSecretVariable(variable: string): boolean {
  return /(PASSWORD|SECRET|TOKEN)$/.test(variable);
}

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
  VIGIL_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(6).describe('Partitions of each pipeline topic Vigil creates (one consumer per partition at most); dead-letter topics get 1. See src/bus/topic-settings.ts'),
  VIGIL_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(32).optional().describe("Replicas of each topic Vigil creates; unset = the broker's default.replication.factor"),
  VIGIL_TOPIC_CREATE: flag(true).describe('At start, create missing topics with their partitions, replication, retention and cleanup.policy (kafka/rdkafka buses); a broker that refuses leaves it to auto-creation. false when topics are managed elsewhere'),
  VIGIL_SCHEMA_REGISTRY_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional().describe('Confluent Schema Registry: when set, every schema is registered at start (subject <topic>-value) and records use its framing (0x00 + 4-byte schema id + Avro); unset = Avro single-object encoding'),
  VIGIL_SCHEMA_REGISTRY_USERNAME: optionalString.describe('Basic-auth user of the Schema Registry (e.g. a Confluent Cloud API key)'),
  VIGIL_SCHEMA_REGISTRY_PASSWORD: optionalString.describe('Basic-auth password of the Schema Registry'),
  KAFKA_SASL_MECHANISM: z.preprocess((value) => (typeof value === 'string' ? value.trim().toLowerCase() : value), z.enum(['plain', 'scram-sha-256', 'scram-sha-512'])).optional().describe('SASL mechanism: plain, scram-sha-256 or scram-sha-512; unset = no SASL. Needs KAFKA_SASL_USERNAME and a password'),
  KAFKA_SASL_USERNAME: optionalString.describe('SASL user name'),
  KAFKA_SASL_PASSWORD: optionalString.describe('SASL password (or KAFKA_SASL_PASSWORD_FILE)'),
  KAFKA_SASL_PASSWORD_FILE: optionalString.describe('File holding the SASL password, e.g. a mounted Kubernetes Secret'),
  KAFKA_TLS: flag(false).describe('Connect to the brokers over TLS (with SASL: SASL_SSL)'),
  KAFKA_TLS_CA_FILE: optionalString.describe("PEM file of the CA that signed the brokers' certificates; unset = the system's CAs"),
  KAFKA_TLS_CERT_FILE: optionalString.describe('PEM client certificate for mutual TLS (with KAFKA_TLS_KEY_FILE)'),
  KAFKA_TLS_KEY_FILE: optionalString.describe('PEM private key of the client certificate'),
  KAFKA_TLS_KEY_PASSWORD: optionalString.describe('Passphrase of KAFKA_TLS_KEY_FILE, if it is encrypted'),
  KAFKA_TLS_INSECURE: flag(false).describe("Skip verifying the brokers' certificates and host names (testing only)"),
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
    // A URL's password (smtp://user:pass@host) is a secret too, whatever the variable's name.
    const shown = value === undefined ? '(unset)' : isSecretVariable(variable) ? '(hidden)' : JSON.stringify(value.replace(/(\/\/[^/:@\s]*:)[^@\s]*@/, '$1***@'));
    return `${variable}=${shown}: ${issue.message}`;
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
