import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Rdkafka from 'node-rdkafka';
import { describe, expect, test } from 'vitest';
import { VigilError } from '../errors.js';
import { commonConfigSchema, loadConfig } from '../runtime/config.js';
import { createBusFromConfig } from './create-bus.js';
import { describeKafkaSecurity, kafkajsSecurityOptions, kafkaSecurityFromConfig, librdkafkaSecurityProperties } from './kafka-security.js';

const tls = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/tls/${name}`, import.meta.url));
const security = (env: Record<string, string>) => kafkaSecurityFromConfig(loadConfig(commonConfigSchema, env));

function configError(env: Record<string, string>): string {
  try {
    security(env);
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_CONFIG');
    return (error as VigilError).message;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

describe('bad combinations stop the start, naming the variable', () => {
  test.each([
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'pw' }, 'needs KAFKA_SASL_USERNAME'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'vigil' }, 'needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE'],
    [{ KAFKA_SASL_USERNAME: 'vigil', KAFKA_SASL_PASSWORD: 'pw' }, 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD set without KAFKA_SASL_MECHANISM'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'vigil', KAFKA_SASL_PASSWORD: 'pw', KAFKA_SASL_PASSWORD_FILE: '/run/secrets/pw' }, 'KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'vigil', KAFKA_SASL_PASSWORD_FILE: '/no/such/file' }, 'KAFKA_SASL_PASSWORD_FILE="/no/such/file": cannot read the file (ENOENT)'],
    [{ KAFKA_TLS_CA_FILE: tls('ca.pem') }, 'KAFKA_TLS_CA_FILE set but KAFKA_TLS is not true'],
    [{ KAFKA_TLS_INSECURE: 'true' }, 'KAFKA_TLS_INSECURE set but KAFKA_TLS is not true'],
    [{ KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: tls('client.pem') }, 'KAFKA_TLS_CERT_FILE set without KAFKA_TLS_KEY_FILE'],
    [{ KAFKA_TLS: 'true', KAFKA_TLS_KEY_FILE: tls('client.key') }, 'KAFKA_TLS_KEY_FILE set without KAFKA_TLS_CERT_FILE'],
    [{ KAFKA_TLS: 'true', KAFKA_TLS_KEY_PASSWORD: 'x' }, 'KAFKA_TLS_KEY_PASSWORD set without KAFKA_TLS_KEY_FILE'],
    [{ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: tls('client.key') }, 'KAFKA_TLS_CA_FILE=', 'not a PEM certificate'],
    [{ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: tls('missing.pem') }, 'KAFKA_TLS_CA_FILE=', 'cannot read the file (ENOENT)'],
  ])('%j', (env, ...expected) => {
    const message = configError(env);
    for (const part of expected) expect(message).toContain(part);
  });

  test('a bad value names the variable but never shows a secret', () => {
    expect(() => loadConfig(commonConfigSchema, { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_PASSWORD: '' })).toThrow(/KAFKA_SASL_MECHANISM="gssapi"/);
    const message = (() => { try { loadConfig(commonConfigSchema, { KAFKA_TLS_KEY_PASSWORD: '   ' }); } catch (error) { return (error as Error).message; } return ''; })();
    expect(message).toContain('KAFKA_TLS_KEY_PASSWORD=(hidden)');
    expect(configError({ KAFKA_SASL_USERNAME: 'vigil', KAFKA_SASL_PASSWORD: 'hunter2-secret' })).not.toContain('hunter2');
    expect(() => loadConfig(commonConfigSchema, { VIGIL_SCHEMA_REGISTRY_URL: 'ftp://vigil:hunter2@registry:8081' })).toThrow('VIGIL_SCHEMA_REGISTRY_URL="ftp://vigil:***@registry:8081"');
  });

  test('createBusFromConfig checks them even for the memory bus, so a mistake shows before switching to Kafka', () => {
    expect(() => createBusFromConfig(loadConfig(commonConfigSchema, { KAFKA_SASL_USERNAME: 'vigil' }), { clientId: 'test' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });
});

describe('mapping to each client', () => {
  test('nothing set: plaintext', () => {
    expect(security({})).toEqual({});
    expect(kafkajsSecurityOptions(security({}))).toEqual({});
    expect(librdkafkaSecurityProperties(security({}))).toEqual({ 'security.protocol': 'plaintext' });
  });

  test('SCRAM over TLS with a CA and a client certificate', () => {
    const resolved = security({
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'vigil', KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: tls('ca.pem'), KAFKA_TLS_CERT_FILE: tls('client.pem'), KAFKA_TLS_KEY_FILE: tls('client.key'),
    });
    const kafkajs = kafkajsSecurityOptions(resolved);
    expect(kafkajs.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'vigil', password: 'pw' });
    expect(kafkajs.ssl).toMatchObject({ rejectUnauthorized: true, ca: [expect.stringContaining('BEGIN CERTIFICATE')], cert: expect.stringContaining('BEGIN CERTIFICATE'), key: expect.stringContaining('PRIVATE KEY') });
    const rdkafka = librdkafkaSecurityProperties(resolved);
    expect(rdkafka).toMatchObject({
      'security.protocol': 'sasl_ssl', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'vigil', 'sasl.password': 'pw',
      'ssl.ca.pem': expect.stringContaining('BEGIN CERTIFICATE'), 'ssl.certificate.pem': expect.stringContaining('BEGIN CERTIFICATE'), 'ssl.key.pem': expect.stringContaining('PRIVATE KEY'),
    });
    expect(JSON.stringify(describeKafkaSecurity(resolved))).not.toContain('pw"');
    expect(describeKafkaSecurity(resolved)).toEqual({ tls: { ca: tls('ca.pem'), clientCertificate: tls('client.pem'), verify: true }, sasl: { mechanism: 'scram-sha-512', username: 'vigil' } });
  });

  test('PLAIN over plaintext, the password from a file (its trailing newline dropped)', () => {
    const resolved = kafkaSecurityFromConfig(
      loadConfig(commonConfigSchema, { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'vigil', KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka' }),
      (file) => (file === '/run/secrets/kafka' ? 'from-the-secret\n' : ''),
    );
    expect(kafkajsSecurityOptions(resolved)).toEqual({ sasl: { mechanism: 'plain', username: 'vigil', password: 'from-the-secret' } });
    expect(librdkafkaSecurityProperties(resolved)).toEqual({ 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'vigil', 'sasl.password': 'from-the-secret' });
  });

  test('TLS with the system CAs, and KAFKA_TLS_INSECURE turning every check off', () => {
    expect(librdkafkaSecurityProperties(security({ KAFKA_TLS: 'true' }))).toEqual({ 'security.protocol': 'ssl', 'ssl.ca.location': 'probe' });
    expect(kafkajsSecurityOptions(security({ KAFKA_TLS: 'true' }))).toEqual({ ssl: { rejectUnauthorized: true } });
    const insecure = security({ KAFKA_TLS: 'true', KAFKA_TLS_INSECURE: '1' });
    expect(librdkafkaSecurityProperties(insecure)).toMatchObject({ 'enable.ssl.certificate.verification': false, 'ssl.endpoint.identification.algorithm': 'none' });
    expect(kafkajsSecurityOptions(insecure).ssl).toMatchObject({ rejectUnauthorized: false });
  });

  test.each([
    ['SASL_SSL with files', { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: tls('ca.pem'), KAFKA_TLS_CERT_FILE: tls('client.pem'), KAFKA_TLS_KEY_FILE: tls('client.key') }],
    ['SSL, system CAs', { KAFKA_TLS: 'true' }],
    ['SSL, insecure', { KAFKA_TLS: 'true', KAFKA_TLS_INSECURE: 'true' }],
    ['SASL_PLAINTEXT', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }],
  ])('librdkafka accepts the properties for %s', (_name, env) => {
    // librdkafka checks every property (name and value) when a client is built.
    const Kafka = createRequire(import.meta.url)('node-rdkafka') as typeof Rdkafka;
    const producer = new Kafka.Producer({ 'bootstrap.servers': '127.0.0.1:1', ...librdkafkaSecurityProperties(security(env)) } as Rdkafka.ProducerGlobalConfig);
    expect(producer.isConnected()).toBe(false);
  });
});
