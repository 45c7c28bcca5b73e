/**
 * docker-compose.yml, built from the code: the services and their command come from the service
 * registry, every environment variable is one the service's zod schema reads (checked when
 * generating), and the topic job creates exactly the topics of the topic catalogue
 * (src/bus/topic-settings.ts) with their partitions, retention and cleanup policy.
 */
import { topicCatalogue, type TopicSettings } from '../src/bus/topic-settings.js';
import { checkServiceEnvironment, defaultHttpPort, serviceNames, type ServiceName } from './generate-deploy-env.js';

export const KAFKA_IMAGE = 'apache/kafka:4.1.0';
export const MAILPIT_IMAGE = 'axllent/mailpit:v1.27.0';
export const SCHEMA_REGISTRY_IMAGE = 'confluentinc/cp-schema-registry:8.0.0';
/** The image `docker compose build` makes from the Dockerfile; VIGIL_IMAGE picks a published one. */
export const VIGIL_IMAGE = '${VIGIL_IMAGE:-vigil:local}';

/** Bootstrap address inside the compose network; the host reaches the broker on localhost:9094. */
export const KAFKA_BOOTSTRAP = 'kafka:9092';
export const KAFKA_HOST_PORT = 9094;
/** One broker: few partitions are plenty, and one replica is all there can be. */
export const TOPIC_PARTITIONS = 3;
export const TOPIC_REPLICATION_FACTOR = 1;
/** Compose interpolation: the prefix comes from the shell or .env, empty by default. */
export const TOPIC_PREFIX = '${VIGIL_TOPIC_PREFIX:-}';

/** The console token when VIGIL_CONSOLE_TOKEN is not set: fine on 127.0.0.1, to be replaced anywhere else. */
export const LOCAL_CONSOLE_TOKEN = 'vigil-compose-local-console';
export const MAILPIT_SMTP_PORT = 1025;
export const MAILPIT_UI_PORT = 8025;
export const SCHEMA_REGISTRY_PORT = 8081;

/** Host port of each service's /healthz, /metrics and /api (the container port is VIGIL_HTTP_PORT). */
export const publishedHttpPorts: Record<ServiceName, number> = {
  collector: 9464,
  detector: 9465,
  diagnoser: 9466,
  scorer: 9467,
  notifier: 9468,
};

/** Environment every Vigil service gets in compose. Values with ${…} are compose interpolation. */
function commonEnvironment(httpPort: number): Record<string, string> {
  return {
    VIGIL_BUS: 'rdkafka',
    KAFKA_BROKERS: KAFKA_BOOTSTRAP,
    VIGIL_CLUSTER: '${VIGIL_CLUSTER:-compose}',
    VIGIL_TOPIC_PREFIX: TOPIC_PREFIX,
    VIGIL_TOPIC_PARTITIONS: String(TOPIC_PARTITIONS),
    VIGIL_TOPIC_REPLICATION_FACTOR: String(TOPIC_REPLICATION_FACTOR),
    // Empty = unset: single-object encoding. With `--profile schema-registry`, set it to
    // http://schema-registry:8081 to use the registry's framing.
    VIGIL_SCHEMA_REGISTRY_URL: '${VIGIL_SCHEMA_REGISTRY_URL:-}',
    // Bind every interface: 127.0.0.1 inside a container is unreachable from the published port.
    VIGIL_HTTP_HOST: '0.0.0.0',
    VIGIL_HTTP_PORT: String(httpPort),
    VIGIL_LOG_LEVEL: '${VIGIL_LOG_LEVEL:-info}',
  };
}

/** What each service needs beyond the common settings. */
const serviceEnvironment: Record<ServiceName, Record<string, string>> = {
  collector: {
    // The host's /proc, /sys and / are mounted read-only under /host (see volumes).
    VIGIL_PROC_ROOT: '/host/proc',
    VIGIL_SYS_ROOT: '/host/sys',
    VIGIL_ROOTFS: '/host/root',
    VIGIL_NODE: '${VIGIL_NODE:-docker-host}',
    VIGIL_KUBERNETES: 'off',
    // Reading /dev/kmsg needs CAP_SYSLOG, which the unprivileged container user lacks.
    VIGIL_KMSG: 'off',
  },
  detector: {},
  diagnoser: { VIGIL_KUBERNETES: 'off' },
  scorer: {
    // The console and /api are served beyond loopback here, so they need a token (16+ characters);
    // ports are published on 127.0.0.1 only. Set your own in the shell or .env.
    VIGIL_CONSOLE_TOKEN: `\${VIGIL_CONSOLE_TOKEN:-${LOCAL_CONSOLE_TOKEN}}`,
    // The console shows and edits silences through the notifier's API.
    VIGIL_NOTIFIER_URL: `http://notifier:${defaultHttpPort()}`,
  },
  notifier: {
    // Every alert email lands in Mailpit: http://localhost:8025
    VIGIL_SMTP_URL: `smtp://mailpit:${MAILPIT_SMTP_PORT}`,
    VIGIL_EMAIL_FROM: 'vigil@example.com',
    VIGIL_EMAIL_TO: '${VIGIL_EMAIL_TO:-oncall@example.com}',
  },
};

/** Resolves compose interpolation (${NAME:-default}, ${NAME-default}, ${NAME}, $$) with an empty shell environment. */
export function interpolateDefaults(value: string): string {
  return value
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g, (_match, fallback: string | undefined) => fallback ?? '')
    .replace(/\$\$/g, '$');
}

/** The `node -e` health probe of /healthz, as the Dockerfile's HEALTHCHECK runs it. */
export function healthProbe(port: number): string[] {
  return ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${port}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`];
}

function kafkaTopicCommand(topic: TopicSettings): string {
  const configs = Object.entries(topic.configs).map(([key, value]) => ` --config ${key}=${value}`).join('');
  const replication = topic.replicationFactor === undefined ? '' : ` --replication-factor ${topic.replicationFactor}`;
  return `/opt/kafka/bin/kafka-topics.sh --bootstrap-server ${KAFKA_BOOTSTRAP} --create --if-not-exists --topic "${topic.name}" --partitions ${topic.partitions}${replication}${configs}`;
}

/** Every topic the pipeline uses, as the compose topic job creates them. */
export function composeTopics(): TopicSettings[] {
  return topicCatalogue({ prefix: TOPIC_PREFIX, partitions: TOPIC_PARTITIONS, replicationFactor: TOPIC_REPLICATION_FACTOR });
}

function vigilService(service: ServiceName): Record<string, unknown> {
  const httpPort = defaultHttpPort();
  const environment = { ...commonEnvironment(httpPort), ...serviceEnvironment[service] };
  // Fail generation, not a container start, when a variable is misspelt or its value is invalid.
  checkServiceEnvironment(service, Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, interpolateDefaults(value)])));
  const definition: Record<string, unknown> = {
    image: VIGIL_IMAGE,
    build: { context: '.' },
    command: ['run', service],
    restart: 'unless-stopped',
    depends_on: {
      kafka: { condition: 'service_healthy' },
      'kafka-topics': { condition: 'service_completed_successfully' },
      ...(service === 'notifier' ? { mailpit: { condition: 'service_started' } } : {}),
    },
    environment,
    ports: [`127.0.0.1:${publishedHttpPorts[service]}:${httpPort}`],
    healthcheck: { test: healthProbe(httpPort), interval: '15s', timeout: '5s', retries: 3, start_period: '30s' },
  };
  if (service === 'collector') {
    // Host processes by their real pids, and the host's kernel files read-only.
    definition.pid = 'host';
    definition.volumes = ['/proc:/host/proc:ro', '/sys:/host/sys:ro', '/:/host/root:ro'];
  }
  return definition;
}

export function composeDocument(): Record<string, unknown> {
  const topics = composeTopics();
  const topicScript = [
    ...topics.map(kafkaTopicCommand),
    `/opt/kafka/bin/kafka-topics.sh --bootstrap-server ${KAFKA_BOOTSTRAP} --describe --topics-with-overrides`,
  ].join('\n');
  const vigil = Object.fromEntries(serviceNames.map((service) => [service, vigilService(service)]));
  return {
    services: {
      kafka: {
        image: KAFKA_IMAGE,
        hostname: 'kafka',
        restart: 'unless-stopped',
        ports: [`127.0.0.1:${KAFKA_HOST_PORT}:${KAFKA_HOST_PORT}`],
        environment: {
          // One node in KRaft mode: broker and controller at once, no ZooKeeper.
          KAFKA_NODE_ID: '1',
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
          KAFKA_LISTENERS: `PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:${KAFKA_HOST_PORT}`,
          KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${KAFKA_BOOTSTRAP},HOST://localhost:${KAFKA_HOST_PORT}`,
          KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,HOST:PLAINTEXT',
          KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
          CLUSTER_ID: 'dmlnaWwtY29tcG9zZS0xAA',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
          // Topics come from the kafka-topics job with their settings, never from a typo.
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
          KAFKA_HEAP_OPTS: '-Xms512m -Xmx512m',
        },
        healthcheck: {
          test: ['CMD-SHELL', `/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server ${KAFKA_BOOTSTRAP} > /dev/null 2>&1`],
          interval: '10s',
          timeout: '10s',
          retries: 12,
          start_period: '20s',
        },
      },
      'kafka-topics': {
        image: KAFKA_IMAGE,
        depends_on: { kafka: { condition: 'service_healthy' } },
        restart: 'no',
        entrypoint: ['/bin/bash', '-ec'],
        command: [topicScript],
      },
      mailpit: {
        image: MAILPIT_IMAGE,
        restart: 'unless-stopped',
        ports: [`127.0.0.1:${MAILPIT_UI_PORT}:${MAILPIT_UI_PORT}`],
      },
      'schema-registry': {
        image: SCHEMA_REGISTRY_IMAGE,
        profiles: ['schema-registry'],
        restart: 'unless-stopped',
        depends_on: { kafka: { condition: 'service_healthy' } },
        ports: [`127.0.0.1:${SCHEMA_REGISTRY_PORT}:${SCHEMA_REGISTRY_PORT}`],
        environment: {
          SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
          SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: `PLAINTEXT://${KAFKA_BOOTSTRAP}`,
          SCHEMA_REGISTRY_LISTENERS: `http://0.0.0.0:${SCHEMA_REGISTRY_PORT}`,
          SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR: '1',
        },
      },
      ...vigil,
    },
  };
}
