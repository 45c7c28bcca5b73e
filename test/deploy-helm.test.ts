/**
 * The Helm chart, rendered for real: tools/helm-render runs Helm's template engine (Go
 * text/template + sprig + Helm's functions; built by .ci/install-helm-renderer.sh, there is no helm
 * binary here). Values are checked with ajv against values.schema.json first, as helm does. Every
 * rendered object must pass kubernetes-models' validation (the Kubernetes OpenAPI schemas) and name
 * no field the Kubernetes API does not have; then the things a user relies on are asserted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { valuesSchemaFile, valuesSchemaJson } from '../scripts/generate-deploy.js';
import { checkServiceEnvironment, isServiceName, serviceVariables, type ServiceName } from '../scripts/generate-deploy-env.js';
import { checkConsoleAccess } from '../services/console/console.js';
import type { ConsoleConfig } from '../services/console/console-config.js';
import { parseRuleFile } from '../services/detector/rules/rule-file.js';
import { parseRoutingConfig } from '../services/notifier/core/routing/config.js';
import { parseInspectionCatalogue } from '../services/scorer/core/inspection-catalogue.js';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const chartDir = path.join(root, 'charts/vigil');
const renderer = path.join(root, '.vigil/bin/helm-render');
const workDir = mkdtempSync(path.join(tmpdir(), 'vigil-helm-'));
const defaultValues = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const valuesSchema = JSON.parse(readFileSync(valuesSchemaFile, 'utf8')) as Record<string, unknown>;
const validateValues = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(valuesSchema);
const BROKERS = 'kafka-0.kafka.svc:9092,kafka-1.kafka.svc:9092';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: unknown };
type Container = { name: string; args?: string[]; env?: { name: string; value?: string; valueFrom?: Record<string, { name?: string; key?: string; fieldPath?: string }> }[]; ports?: { name: string; containerPort: number }[]; securityContext?: Record<string, unknown>; resources?: { limits?: Record<string, string> }; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[]; livenessProbe?: { httpGet: { path: string; port: string } }; readinessProbe?: { httpGet: { path: string; port: string } } };
type PodSpec = { hostPID?: boolean; containers: Container[]; volumes?: { name: string; hostPath?: { path: string }; configMap?: { name: string }; secret?: { secretName: string } }[]; tolerations?: Record<string, unknown>[]; serviceAccountName?: string; automountServiceAccountToken?: boolean; securityContext?: Record<string, unknown> };
type Workload = K8sObject & { spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } } };

/** Helm's coalescing of user values over the chart's: maps merge, null deletes. */
function mergeValues(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else merged[key] = mergeValues(base[key], value);
  }
  return merged;
}
function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let renders = 0;
/** Runs the renderer with `overrides` as a -f values file; the raw result. */
function runRenderer(overrides: Record<string, unknown>, extraArgs: string[] = []) {
  const file = path.join(workDir, `values-${renders++}.json`);
  writeFileSync(file, JSON.stringify(overrides));
  return spawnSync(renderer, [chartDir, '--name', 'vigil', '--namespace', 'monitoring', '-f', file, ...extraArgs], { encoding: 'utf8' });
}

/** Renders the chart as `helm template vigil charts/vigil -n monitoring -f overrides` would, values checked first. */
function render(overrides: Record<string, unknown> = {}, extraArgs: string[] = []): K8sObject[] {
  const withBrokers = mergeValues({ kafka: { brokers: BROKERS } }, overrides) as Record<string, unknown>;
  const values = mergeValues(defaultValues, withBrokers);
  expect(validateValues(values), JSON.stringify(validateValues.errors)).toBe(true);
  const result = runRenderer(withBrokers, extraArgs);
  expect(result.status, result.stderr).toBe(0);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as K8sObject).filter(Boolean);
}

function find<T extends K8sObject = K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ')}`);
  return found as T;
}

function envOf(container: Container): Map<string, NonNullable<Container['env']>[number]> {
  return new Map((container.env ?? []).map((entry) => [entry.name, entry]));
}

/** Fields the Kubernetes API does not have, found by walking the client's model type map. */
function unknownFields(value: unknown, type: string, at: string): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((item, index) => unknownFields(item, array[1]!, `${at}[${index}]`)) : [];
  const dictionary = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (dictionary) return isMap(value) ? Object.entries(value).flatMap(([key, item]) => unknownFields(item, dictionary[1]!, `${at}.${key}`)) : [];
  const model = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => { baseName: string; type: string }[] }>)[type];
  if (!model?.getAttributeTypeMap || !isMap(value)) return [];
  const attributes = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]));
  return Object.entries(value).flatMap(([key, item]) => (attributes.has(key) ? unknownFields(item, attributes.get(key)!, `${at}.${key}`) : [`${at}.${key}`]));
}

/** kubernetes-models' validate() for the object's apiVersion and kind (the Prometheus Operator's models for ServiceMonitor). */
function validateObject(object: K8sObject): void {
  const { apiVersion, kind } = object;
  const module = require(apiVersion.startsWith('monitoring.coreos.com/')
    ? `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`
    : `kubernetes-models/${apiVersion}/${kind}`) as Record<string, new (data: unknown) => { validate(): void }>;
  new module[kind]!(object).validate();
  if (!apiVersion.startsWith('monitoring.coreos.com/')) {
    const version = apiVersion.split('/').at(-1)!;
    const typeName = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
    expect((k8s as unknown as Record<string, unknown>)[typeName], typeName).toBeDefined();
    expect(unknownFields(object, typeName, `${kind}/${object.metadata.name}`)).toEqual([]);
  }
}

const deployments = ['detector', 'diagnoser', 'scorer', 'notifier'] as const;

beforeAll(() => {
  // Installs Go and sprig from Debian when missing and builds the renderer when stale.
  execFileSync('bash', [path.join(root, '.ci/install-helm-renderer.sh')], { stdio: 'inherit', timeout: 540_000 });
}, 600_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('values.schema.json', () => {
  test('is what scripts/generate-deploy.ts writes (run `npm run generate` after changing a config schema)', () => {
    expect(readFileSync(valuesSchemaFile, 'utf8')).toBe(valuesSchemaJson());
  });

  test('accepts values.yaml and refuses what helm install should refuse', () => {
    expect(validateValues(defaultValues), JSON.stringify(validateValues.errors)).toBe(true);
    const refused = (overrides: Record<string, unknown>) => !validateValues(mergeValues(defaultValues, overrides));
    expect(refused({ detector: { replicas: 'two' } })).toBe(true);
    expect(validateValues.errors?.[0]?.instancePath).toBe('/detector/replicas');
    expect(refused({ kafka: { bus: 'memory' } })).toBe(true);
    expect(refused({ kafka: { brokers: 'kafka' } })).toBe(true);
    expect(refused({ detector: { env: { VIGIL_DETECTR_GROUP: 'x' } } })).toBe(true);
    expect(refused({ detector: { env: { VIGIL_INTERVAL_MS: '1000' } } })).toBe(true); // the collector's, not the detector's
    expect(refused({ collector: { env: { VIGIL_INTERVAL_MS: 1000 } } })).toBe(true); // env values are strings
    expect(refused({ collector: { env: { VIGIL_INTERVAL_MS: '1000' } } })).toBe(false);
    expect(refused({ scorer: { replicaCount: 2 } })).toBe(true);
  });

  test('lists, for each component, exactly the variables its service reads', () => {
    const properties = valuesSchema.properties as Record<string, { properties: { env: { properties: Record<string, unknown> } } }>;
    for (const service of ['collector', ...deployments] as ServiceName[]) {
      expect(Object.keys(properties[service]!.properties.env.properties).sort(), service).toEqual(serviceVariables(service).sort());
    }
  });
});

describe('charts/vigil rendered', () => {
  test('fails without kafka.brokers, naming the value, as helm would', () => {
    const result = runRenderer({});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('kafka.brokers is required');
  });

  test('merges --set and --set-string over values.yaml as helm does (typed values, null deletes a key)', () => {
    const objects = render({}, [
      '--set', 'detector.replicas=3,diagnoser.podDisruptionBudget.enabled=false',
      '--set', 'collector.tolerations=null',
      '--set-string', 'kafka.topicPrefix=007.',
      '--set', 'detector.env.VIGIL_DETECTOR_GROUP=g\\,1',
    ]);
    const detector = find<Workload>(objects, 'Deployment', 'vigil-detector');
    expect(detector.spec.replicas).toBe(3);
    expect(objects.some((object) => object.kind === 'PodDisruptionBudget' && object.metadata.name === 'vigil-diagnoser')).toBe(false);
    expect(find<Workload>(objects, 'DaemonSet', 'vigil-collector').spec.template.spec.tolerations).toBeUndefined();
    const env = envOf(detector.spec.template.spec.containers[0]!);
    expect(env.get('VIGIL_TOPIC_PREFIX')?.value).toBe('007.');
    expect(env.get('VIGIL_DETECTOR_GROUP')?.value).toBe('g,1');
  });

  test('renders with the defaults to valid Kubernetes objects: a DaemonSet, four Deployments, Services, PDBs, RBAC', () => {
    const objects = render();
    for (const object of objects) validateObject(object);
    const kinds = objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();
    expect(kinds).toEqual([
      'ClusterRole/vigil', 'ClusterRoleBinding/vigil',
      'DaemonSet/vigil-collector',
      ...deployments.map((name) => `Deployment/vigil-${name}`),
      ...deployments.map((name) => `PodDisruptionBudget/vigil-${name}`),
      ...['collector', ...deployments].map((name) => `Service/vigil-${name}`),
      'Secret/vigil-console', 'ServiceAccount/vigil',
    ].sort());
  });

  test('runs the collector on every node with host pids, the host\'s /proc and /sys read-only, limits, and no root', () => {
    const daemonSet = find<Workload>(render(), 'DaemonSet', 'vigil-collector');
    const pod = daemonSet.spec.template.spec;
    expect(pod.hostPID).toBe(true);
    expect(pod.tolerations).toContainEqual({ operator: 'Exists' });
    const container = pod.containers[0]!;
    expect(container.args).toEqual(['run', 'collector']);
    const hostPaths = new Map((pod.volumes ?? []).filter((volume) => volume.hostPath).map((volume) => [volume.name, volume.hostPath!.path]));
    const mounts = new Map((container.volumeMounts ?? []).map((mount) => [mount.mountPath, mount]));
    for (const [hostPath, mountPath] of [['/proc', '/host/proc'], ['/sys', '/host/sys']] as const) {
      const mount = mounts.get(mountPath);
      expect(mount, mountPath).toBeDefined();
      expect(hostPaths.get(mount!.name)).toBe(hostPath);
      expect(mount!.readOnly, mountPath).toBe(true);
    }
    for (const mount of container.volumeMounts ?? []) if (hostPaths.has(mount.name)) expect(mount.readOnly, mount.mountPath).toBe(true);
    const env = envOf(container);
    expect(env.get('VIGIL_PROC_ROOT')?.value).toBe('/host/proc');
    expect(env.get('VIGIL_SYS_ROOT')?.value).toBe('/host/sys');
    expect(env.get('VIGIL_NODE')?.valueFrom?.fieldRef?.fieldPath).toBe('spec.nodeName');
    expect(container.resources?.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(env.get('VIGIL_KMSG')?.value).toBe('off');
  });

  test('with collector.kernelLog reads /dev/kmsg as root with CAP_SYSLOG and no other capability', () => {
    const container = find<Workload>(render({ collector: { kernelLog: true } }), 'DaemonSet', 'vigil-collector').spec.template.spec.containers[0]!;
    expect(container.securityContext).toMatchObject({ runAsUser: 0, capabilities: { drop: ['ALL'], add: ['SYSLOG'] } });
    expect(container.volumeMounts).toContainEqual({ name: 'kmsg', mountPath: '/dev/kmsg', readOnly: true });
    expect(envOf(container).has('VIGIL_KMSG')).toBe(false);
  });

  test('grants get, list and watch on pods, events and nodes, and nothing else, to the pods that call the API', () => {
    const objects = render();
    const role = find<K8sObject & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }>(objects, 'ClusterRole', 'vigil');
    expect(role.rules).toHaveLength(1);
    expect(role.rules[0]!.apiGroups).toEqual(['']);
    expect([...role.rules[0]!.resources].sort()).toEqual(['events', 'nodes', 'pods']);
    expect([...role.rules[0]!.verbs].sort()).toEqual(['get', 'list', 'watch']);
    const binding = find<K8sObject & { roleRef: { name: string }; subjects: { kind: string; name: string; namespace: string }[] }>(objects, 'ClusterRoleBinding', 'vigil');
    expect(binding.roleRef.name).toBe('vigil');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vigil', namespace: 'monitoring' }]);
    expect(find<Workload>(objects, 'DaemonSet', 'vigil-collector').spec.template.spec.serviceAccountName).toBe('vigil');
    const automount = Object.fromEntries(deployments.map((name) => [name, find<Workload>(objects, 'Deployment', `vigil-${name}`).spec.template.spec.automountServiceAccountToken]));
    expect(automount).toEqual({ detector: false, diagnoser: true, scorer: false, notifier: false });
  });

  test('every container runs a real service with variables it reads and values it accepts, on the port its Service targets', () => {
    const objects = render({ logLevel: 'debug', kafka: { topicPrefix: 'prod.', topics: { replicationFactor: 3 } }, detector: { env: { VIGIL_DETECTOR_GROUP: 'team-a' } } });
    const workloads = objects.filter((object): object is Workload => object.kind === 'DaemonSet' || object.kind === 'Deployment');
    expect(workloads).toHaveLength(5);
    for (const workload of workloads) {
      for (const container of workload.spec.template.spec.containers) {
        const [verb, service] = container.args ?? [];
        expect(verb).toBe('run');
        expect(isServiceName(service ?? ''), `${service} is no service`).toBe(true);
        const env = envOf(container);
        const literal = Object.fromEntries([...env].filter(([, entry]) => entry.value !== undefined).map(([name, entry]) => [name, entry.value!]));
        const unread = [...env.keys()].filter((name) => !serviceVariables(service as ServiceName).includes(name));
        expect(unread, service).toEqual([]);
        const config = checkServiceEnvironment(service as ServiceName, literal) as Record<string, unknown>;
        expect(config.KAFKA_BROKERS).toEqual(BROKERS.split(','));
        expect(config.VIGIL_TOPIC_PREFIX).toBe('prod.');
        expect(config.VIGIL_TOPIC_REPLICATION_FACTOR).toBe(3);
        expect(config.VIGIL_LOG_LEVEL).toBe('debug');
        expect(config.VIGIL_HTTP_HOST).toBe('0.0.0.0');
        const port = container.ports?.find((entry) => entry.name === 'http');
        expect(port?.containerPort).toBe(config.VIGIL_HTTP_PORT);
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
        const serviceObject = find<K8sObject & { spec: { selector: Record<string, string>; ports: { targetPort: string }[] } }>(objects, 'Service', `vigil-${service}`);
        expect(serviceObject.spec.ports[0]!.targetPort).toBe('http');
        expect(workload.spec.template.metadata.labels).toMatchObject(serviceObject.spec.selector);
        if (service === 'detector') expect(config.VIGIL_DETECTOR_GROUP).toBe('team-a');
      }
    }
  });

  test('sets replicas, and hands them to an HPA only when autoscaling is enabled', () => {
    const plain = render({ detector: { replicas: 4 } });
    expect(find<Workload>(plain, 'Deployment', 'vigil-detector').spec.replicas).toBe(4);
    expect(plain.filter((object) => object.kind === 'HorizontalPodAutoscaler')).toEqual([]);

    const scaled = render({ detector: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 } } });
    for (const object of scaled) validateObject(object);
    const hpas = scaled.filter((object) => object.kind === 'HorizontalPodAutoscaler') as (K8sObject & { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number } })[];
    expect(hpas.map((hpa) => hpa.metadata.name)).toEqual(['vigil-detector']);
    expect(hpas[0]!.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'vigil-detector' }, minReplicas: 2, maxReplicas: 6 });
    expect(find<Workload>(scaled, 'Deployment', 'vigil-detector').spec.replicas).toBeUndefined();
  });

  test('mounts the rule, scoring and routing files from ConfigMaps where the variables point, readable by the services', () => {
    const rules = readFileSync(path.join(root, 'services/detector/rules/default-rules.yaml'), 'utf8');
    const catalogue = readFileSync(path.join(root, 'services/scorer/core/default-inspection.yaml'), 'utf8');
    const routing = {
      route: { receiver: 'oncall', group_by: ['entity'] },
      receivers: [{ name: 'oncall', channels: [{ type: 'webhook', webhookUrlFile: '/etc/vigil/secrets/webhook-url', secretFile: '/etc/vigil/secrets/webhook-secret' }] }],
    };
    const objects = render({ detector: { rules }, scorer: { catalogue }, notifier: { routing, secrets: { existingSecret: 'vigil-notifier-keys' } } });
    for (const object of objects) validateObject(object);
    const read = (component: string, variable: string): string => {
      const pod = find<Workload>(objects, 'Deployment', `vigil-${component}`).spec.template.spec;
      const container = pod.containers[0]!;
      const file = envOf(container).get(variable)?.value;
      expect(file, variable).toBeDefined();
      const mount = container.volumeMounts!.find((entry) => file!.startsWith(`${entry.mountPath}/`))!;
      expect(mount.readOnly).toBe(true);
      const configMapName = pod.volumes!.find((volume) => volume.name === mount.name)!.configMap!.name;
      const data = find<K8sObject & { data: Record<string, string> }>(objects, 'ConfigMap', configMapName).data;
      return data[path.basename(file!)]!;
    };
    expect(read('detector', 'VIGIL_DETECTOR_RULES')).toBe(rules);
    expect(parseRuleFile(read('detector', 'VIGIL_DETECTOR_RULES'), 'configmap').length).toBeGreaterThan(0);
    expect(read('scorer', 'VIGIL_SCORER_CATALOGUE')).toBe(catalogue);
    expect(parseInspectionCatalogue(read('scorer', 'VIGIL_SCORER_CATALOGUE'), 'configmap')).toBeDefined();
    expect(parse(read('notifier', 'VIGIL_NOTIFIER_CONFIG'))).toEqual(routing);
    expect(parseRoutingConfig(read('notifier', 'VIGIL_NOTIFIER_CONFIG'))).toBeDefined();
    // The webhook keys the routing file names are files of the mounted Secret.
    const notifier = find<Workload>(objects, 'Deployment', 'vigil-notifier').spec.template.spec;
    const secretVolume = notifier.volumes!.find((volume) => volume.secret?.secretName === 'vigil-notifier-keys')!;
    expect(notifier.containers[0]!.volumeMounts).toContainEqual({ name: secretVolume.name, mountPath: '/etc/vigil/secrets', readOnly: true });
    // A changed file restarts the pods.
    const annotations = (values: Record<string, unknown>) => find<Workload>(render(values), 'Deployment', 'vigil-detector').spec.template.metadata.annotations;
    expect(annotations({ detector: { rules } })).not.toEqual(annotations({ detector: { rules: `${rules}\n# edited\n` } }));
  });

  test('takes the SMTP URL, SASL password and Schema Registry login from Secrets, never from values', () => {
    const objects = render({
      notifier: { smtp: { existingSecret: 'vigil-smtp' }, email: { to: 'oncall@example.com' } },
      kafka: { sasl: { mechanism: 'scram-sha-512', username: 'vigil', existingSecret: 'vigil-kafka' }, tls: { enabled: true, existingSecret: 'vigil-kafka-ca' } },
      schemaRegistry: { url: 'https://registry.example:8081', existingSecret: 'vigil-registry' },
    });
    const notifier = find<Workload>(objects, 'Deployment', 'vigil-notifier').spec.template.spec;
    const env = envOf(notifier.containers[0]!);
    expect(env.get('VIGIL_SMTP_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'vigil-smtp', key: 'url' });
    expect(env.get('VIGIL_EMAIL_TO')?.value).toBe('oncall@example.com');
    expect(env.get('VIGIL_SCHEMA_REGISTRY_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'vigil-registry', key: 'password' });
    const passwordFile = env.get('KAFKA_SASL_PASSWORD_FILE')?.value ?? '';
    const saslVolume = notifier.volumes!.find((volume) => volume.secret?.secretName === 'vigil-kafka')!;
    const saslMount = notifier.containers[0]!.volumeMounts!.find((mount) => mount.name === saslVolume.name)!;
    expect(passwordFile).toBe(`${saslMount.mountPath}/password`);
    expect(env.get('KAFKA_TLS')?.value).toBe('true');
    expect(env.get('KAFKA_TLS_CA_FILE')?.value).toBe('/etc/vigil/kafka-tls/ca.crt');
    for (const [name, entry] of env) if (/PASSWORD$|SMTP_URL$/.test(name)) expect(entry.value, name).toBeUndefined();
  });

  test('gives the scorer\'s console a token from a Secret (random when none is named) and the notifier\'s API address', () => {
    const objects = render();
    const scorer = find<Workload>(objects, 'Deployment', 'vigil-scorer').spec.template.spec.containers[0]!;
    const env = envOf(scorer);
    const ref = env.get('VIGIL_CONSOLE_TOKEN')?.valueFrom?.secretKeyRef;
    expect(ref).toEqual({ name: 'vigil-console', key: 'token' });
    const secret = find<K8sObject & { data: Record<string, string> }>(objects, 'Secret', 'vigil-console');
    const token = Buffer.from(secret.data.token!, 'base64').toString('utf8');
    expect(token).toMatch(/^[A-Za-z0-9]{32}$/);
    const tokenOfAnotherInstall = Buffer.from(find<K8sObject & { data: Record<string, string> }>(render(), 'Secret', 'vigil-console').data.token!, 'base64').toString('utf8');
    expect(tokenOfAnotherInstall).not.toBe(token);
    // With the token the scorer starts on 0.0.0.0; without one it would refuse.
    const literal = Object.fromEntries([...env].filter(([, entry]) => entry.value !== undefined).map(([name, entry]) => [name, entry.value!]));
    const config = checkServiceEnvironment('scorer', { ...literal, VIGIL_CONSOLE_TOKEN: token }) as unknown as ConsoleConfig & { VIGIL_HTTP_PORT: number };
    expect(() => checkConsoleAccess(config, config.VIGIL_HTTP_HOST)).not.toThrow();
    expect(() => checkConsoleAccess({ ...config, VIGIL_CONSOLE_TOKEN: undefined }, config.VIGIL_HTTP_HOST)).toThrow(/VIGIL_CONSOLE_TOKEN/);
    // The console reaches the notifier's /api/silences through its Service.
    const notifierService = find<K8sObject & { spec: { ports: { port: number }[] } }>(objects, 'Service', 'vigil-notifier');
    expect(config.VIGIL_NOTIFIER_URL).toBe(`http://${notifierService.metadata.name}:${notifierService.spec.ports[0]!.port}`);

    const named = render({ scorer: { console: { existingSecret: 'my-console', tokenKey: 'value' } } });
    expect(named.some((object) => object.kind === 'Secret')).toBe(false);
    expect(envOf(find<Workload>(named, 'Deployment', 'vigil-scorer').spec.template.spec.containers[0]!).get('VIGIL_CONSOLE_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'my-console', key: 'value' });
  });

  test('keeps one pod of each Deployment through voluntary disruptions', () => {
    const objects = render();
    for (const name of deployments) {
      const pdb = find<K8sObject & { spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } }>(objects, 'PodDisruptionBudget', `vigil-${name}`);
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(find<Workload>(objects, 'Deployment', `vigil-${name}`).spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    }
  });

  test('adds a ServiceMonitor for every component\'s /metrics only when asked', () => {
    expect(render().some((object) => object.kind === 'ServiceMonitor')).toBe(false);
    const objects = render({ serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } }, ['--api-versions', 'monitoring.coreos.com/v1']);
    const monitor = find<K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] } }>(objects, 'ServiceMonitor', 'vigil');
    validateObject(monitor);
    expect(monitor.metadata.labels?.release).toBe('prometheus');
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    const services = objects.filter((object) => object.kind === 'Service');
    expect(services).toHaveLength(5);
    for (const service of services) expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
  });
});
