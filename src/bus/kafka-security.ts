/**
 * SASL and TLS for the Kafka buses: the KAFKA_SASL_* and KAFKA_TLS_* variables checked together
 * (a bad combination stops the start naming the variable), the files read once, and the result
 * mapped to each client's own options (kafkajs `ssl`/`sasl`, librdkafka `security.protocol`,
 * `sasl.*`, `ssl.*`). Secrets are kept out of messages and of anything that is logged.
 */
import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { VigilError } from '../errors.js';
import type { CommonConfig } from '../runtime/config.js';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSecurity {
  /** Present = TLS to every broker. */
  tls?: {
    /** PEM of the CA (KAFKA_TLS_CA_FILE); undefined = the system's CAs. */
    ca?: { file: string; pem: string };
    /** Client certificate and key for mutual TLS. */
    clientCertificate?: { certFile: string; certPem: string; keyFile: string; keyPem: string; keyPassword?: string };
    /** false = KAFKA_TLS_INSECURE: no certificate or host name check. */
    verify: boolean;
  };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

export type KafkaSecurityConfig = Pick<CommonConfig,
  | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD' | 'KAFKA_SASL_PASSWORD_FILE'
  | 'KAFKA_TLS' | 'KAFKA_TLS_CA_FILE' | 'KAFKA_TLS_CERT_FILE' | 'KAFKA_TLS_KEY_FILE' | 'KAFKA_TLS_KEY_PASSWORD' | 'KAFKA_TLS_INSECURE'>;

function configError(message: string): VigilError {
  return new VigilError('VIGIL_CONFIG', `invalid configuration: ${message}`);
}

/** Reads a file a variable names; the error names the variable and the path, never the content. */
function readNamedFile(variable: string, file: string, readFile: (file: string) => string): string {
  try {
    return readFile(file);
  } catch (error) {
    throw configError(`${variable}=${JSON.stringify(file)}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function requirePem(variable: string, file: string, text: string, label: RegExp, what: string): string {
  if (!label.test(text)) throw configError(`${variable}=${JSON.stringify(file)}: not a PEM ${what} (no "-----BEGIN …" block)`);
  return text;
}

/**
 * Checks the SASL and TLS variables together and reads the files they name. Throws VIGIL_CONFIG
 * naming the variable for: a mechanism without user or password, a user or password without a
 * mechanism, both KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE, a TLS file or
 * KAFKA_TLS_INSECURE without KAFKA_TLS=true, a certificate without its key (or the reverse), an
 * unreadable file, a file that is not PEM, an empty password file.
 */
export function kafkaSecurityFromConfig(config: KafkaSecurityConfig, readFile: (file: string) => string = (file) => readFileSync(file, 'utf8')): KafkaSecurity {
  const security: KafkaSecurity = {};

  const mechanism = config.KAFKA_SASL_MECHANISM;
  const passwordSources = [config.KAFKA_SASL_PASSWORD !== undefined && 'KAFKA_SASL_PASSWORD', config.KAFKA_SASL_PASSWORD_FILE !== undefined && 'KAFKA_SASL_PASSWORD_FILE'].filter(Boolean);
  if (mechanism === undefined) {
    const stray = [config.KAFKA_SASL_USERNAME !== undefined && 'KAFKA_SASL_USERNAME', ...passwordSources].filter(Boolean);
    if (stray.length > 0) throw configError(`${stray.join(' and ')} set without KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)`);
  } else {
    if (config.KAFKA_SASL_USERNAME === undefined) throw configError(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME`);
    if (passwordSources.length === 0) throw configError(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE`);
    if (passwordSources.length > 1) throw configError('KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set: keep one');
    let password = config.KAFKA_SASL_PASSWORD;
    if (password === undefined) {
      // A mounted Secret often ends with a newline that is not part of the password.
      password = readNamedFile('KAFKA_SASL_PASSWORD_FILE', config.KAFKA_SASL_PASSWORD_FILE!, readFile).replace(/\r?\n$/, '');
      if (password === '') throw configError(`KAFKA_SASL_PASSWORD_FILE=${JSON.stringify(config.KAFKA_SASL_PASSWORD_FILE)}: the file is empty`);
    }
    security.sasl = { mechanism, username: config.KAFKA_SASL_USERNAME, password };
  }

  const tlsOnly = [
    config.KAFKA_TLS_CA_FILE !== undefined && 'KAFKA_TLS_CA_FILE',
    config.KAFKA_TLS_CERT_FILE !== undefined && 'KAFKA_TLS_CERT_FILE',
    config.KAFKA_TLS_KEY_FILE !== undefined && 'KAFKA_TLS_KEY_FILE',
    config.KAFKA_TLS_KEY_PASSWORD !== undefined && 'KAFKA_TLS_KEY_PASSWORD',
    config.KAFKA_TLS_INSECURE && 'KAFKA_TLS_INSECURE',
  ].filter(Boolean);
  if (!config.KAFKA_TLS) {
    if (tlsOnly.length > 0) throw configError(`${tlsOnly.join(', ')} set but KAFKA_TLS is not true: set KAFKA_TLS=true to connect over TLS`);
    return security;
  }
  if ((config.KAFKA_TLS_CERT_FILE === undefined) !== (config.KAFKA_TLS_KEY_FILE === undefined)) {
    throw configError(config.KAFKA_TLS_CERT_FILE === undefined ? 'KAFKA_TLS_KEY_FILE set without KAFKA_TLS_CERT_FILE' : 'KAFKA_TLS_CERT_FILE set without KAFKA_TLS_KEY_FILE');
  }
  if (config.KAFKA_TLS_KEY_PASSWORD !== undefined && config.KAFKA_TLS_KEY_FILE === undefined) throw configError('KAFKA_TLS_KEY_PASSWORD set without KAFKA_TLS_KEY_FILE');
  const tls: NonNullable<KafkaSecurity['tls']> = { verify: !config.KAFKA_TLS_INSECURE };
  if (config.KAFKA_TLS_CA_FILE !== undefined) {
    const file = config.KAFKA_TLS_CA_FILE;
    tls.ca = { file, pem: requirePem('KAFKA_TLS_CA_FILE', file, readNamedFile('KAFKA_TLS_CA_FILE', file, readFile), /-----BEGIN CERTIFICATE-----/, 'certificate') };
  }
  if (config.KAFKA_TLS_CERT_FILE !== undefined && config.KAFKA_TLS_KEY_FILE !== undefined) {
    const certFile = config.KAFKA_TLS_CERT_FILE;
    const keyFile = config.KAFKA_TLS_KEY_FILE;
    tls.clientCertificate = {
      certFile,
      certPem: requirePem('KAFKA_TLS_CERT_FILE', certFile, readNamedFile('KAFKA_TLS_CERT_FILE', certFile, readFile), /-----BEGIN CERTIFICATE-----/, 'certificate'),
      keyFile,
      keyPem: requirePem('KAFKA_TLS_KEY_FILE', keyFile, readNamedFile('KAFKA_TLS_KEY_FILE', keyFile, readFile), /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key'),
      keyPassword: config.KAFKA_TLS_KEY_PASSWORD,
    };
  }
  security.tls = tls;
  return security;
}

/** The kafkajs client options for `security` (merge into `new Kafka({...})`). */
export function kafkajsSecurityOptions(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.tls) {
    const ssl: ConnectionOptions = { rejectUnauthorized: security.tls.verify };
    if (security.tls.ca) ssl.ca = [security.tls.ca.pem];
    if (security.tls.clientCertificate) {
      ssl.cert = security.tls.clientCertificate.certPem;
      ssl.key = security.tls.clientCertificate.keyPem;
      if (security.tls.clientCertificate.keyPassword !== undefined) ssl.passphrase = security.tls.clientCertificate.keyPassword;
    }
    if (!security.tls.verify) ssl.checkServerIdentity = () => undefined;
    options.ssl = ssl;
  }
  if (security.sasl) {
    options.sasl = { mechanism: security.sasl.mechanism, username: security.sasl.username, password: security.sasl.password } as SASLOptions;
  }
  return options;
}

/** The librdkafka properties for `security` (producer and consumers alike). */
export function librdkafkaSecurityProperties(security: KafkaSecurity): Record<string, string | boolean> {
  const protocol = security.sasl ? (security.tls ? 'sasl_ssl' : 'sasl_plaintext') : security.tls ? 'ssl' : 'plaintext';
  const properties: Record<string, string | boolean> = { 'security.protocol': protocol };
  if (security.sasl) {
    properties['sasl.mechanisms'] = security.sasl.mechanism.toUpperCase();
    properties['sasl.username'] = security.sasl.username;
    properties['sasl.password'] = security.sasl.password;
  }
  if (security.tls) {
    // librdkafka's own build does not know the system's CA store: 'probe' looks in the usual places.
    properties[security.tls.ca ? 'ssl.ca.pem' : 'ssl.ca.location'] = security.tls.ca ? security.tls.ca.pem : 'probe';
    if (security.tls.clientCertificate) {
      properties['ssl.certificate.pem'] = security.tls.clientCertificate.certPem;
      properties['ssl.key.pem'] = security.tls.clientCertificate.keyPem;
      if (security.tls.clientCertificate.keyPassword !== undefined) properties['ssl.key.password'] = security.tls.clientCertificate.keyPassword;
    }
    if (!security.tls.verify) {
      properties['enable.ssl.certificate.verification'] = false;
      properties['ssl.endpoint.identification.algorithm'] = 'none';
    }
  }
  return properties;
}

/** What a log line may say about the connection's security: mechanisms and files, never secrets. */
export function describeKafkaSecurity(security: KafkaSecurity): Record<string, unknown> {
  return {
    tls: security.tls ? { ca: security.tls.ca?.file ?? 'system', clientCertificate: security.tls.clientCertificate?.certFile, verify: security.tls.verify } : false,
    sasl: security.sasl ? { mechanism: security.sasl.mechanism, username: security.sasl.username } : false,
  };
}
