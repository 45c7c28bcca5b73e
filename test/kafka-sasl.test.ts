/**
 * KAFKA_SASL_* on the wire, for both buses. The mock Kafka does not do SASL and there is no real
 * Kafka here, so the peer is a small Kafka-protocol endpoint that answers only what comes before
 * authentication: ApiVersions (v0–v3), SaslHandshake (records the mechanism) and SaslAuthenticate
 * (records the client's first message, then refuses). What it records is what a broker would see:
 * the mechanism, the user name (and, for PLAIN, the password). The SCRAM exchange past the first
 * message is the clients' own code and is not exercised.
 */
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import type { Bus } from '../src/bus/bus.js';
import { kafkaSecurityFromConfig } from '../src/bus/kafka-security.js';
import { KafkajsBus } from '../src/bus/kafkajs-bus.js';
import { RdkafkaBus } from '../src/bus/rdkafka-bus.js';
import { commonConfigSchema, loadConfig } from '../src/runtime/config.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/tls/${name}`, import.meta.url));

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const advertised: [number, number, number][] = [[API_VERSIONS, 0, 3], [SASL_HANDSHAKE, 0, 1], [SASL_AUTHENTICATE, 0, 1]];

interface SaslAttempt { clientId: string; mechanism?: string; firstMessage?: string }

function frame(correlationId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(4 + body.length, 0);
  header.writeInt32BE(correlationId, 4);
  return Buffer.concat([header, body]);
}
const int16 = (value: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(value); return b; };
const int32 = (value: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(value); return b; };
const string16 = (text: string): Buffer => Buffer.concat([int16(Buffer.byteLength(text)), Buffer.from(text)]);

function apiVersionsResponse(version: number): Buffer {
  if (version >= 3) {
    // Flexible: compact array (count + 1), a tag buffer after each entry and at the end.
    const entries = advertised.map(([key, min, max]) => Buffer.concat([int16(key), int16(min), int16(max), Buffer.from([0])]));
    return Buffer.concat([int16(0), Buffer.from([advertised.length + 1]), ...entries, int32(0), Buffer.from([0])]);
  }
  const entries = advertised.map(([key, min, max]) => Buffer.concat([int16(key), int16(min), int16(max)]));
  return Buffer.concat([int16(0), int32(advertised.length), ...entries, ...(version >= 1 ? [int32(0)] : [])]);
}

/** Serves connections on `server`, answering the pre-authentication requests and recording them. */
function speakKafkaUntilAuthentication(server: Server, tls: boolean, attempts: SaslAttempt[]): void {
  // A TLS server also emits 'connection' with the raw socket: serve only the decrypted one there.
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => serve(socket));
  function serve(socket: Socket): void {
    let buffered = Buffer.alloc(0);
    let attempt: SaslAttempt | undefined;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const request = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + request.length);
        const apiKey = request.readInt16BE(0);
        const version = request.readInt16BE(2);
        const correlationId = request.readInt32BE(4);
        const clientIdLength = request.readInt16BE(8);
        const clientId = request.subarray(10, 10 + Math.max(0, clientIdLength)).toString('utf8');
        const bodyStart = 10 + Math.max(0, clientIdLength) + (apiKey === API_VERSIONS && version >= 3 ? 1 : 0); // header v2 tag buffer
        const body = request.subarray(bodyStart);
        if (apiKey === API_VERSIONS) {
          socket.write(frame(correlationId, apiVersionsResponse(version)));
        } else if (apiKey === SASL_HANDSHAKE) {
          const mechanism = body.subarray(2, 2 + body.readInt16BE(0)).toString('utf8');
          attempt = { clientId, mechanism };
          attempts.push(attempt);
          socket.write(frame(correlationId, Buffer.concat([int16(0), int32(1), string16(mechanism)])));
        } else if (apiKey === SASL_AUTHENTICATE) {
          if (attempt) attempt.firstMessage = body.subarray(4, 4 + body.readInt32BE(0)).toString('utf8');
          // SASL_AUTHENTICATION_FAILED (58), a message, no auth bytes (+ session lifetime in v1).
          socket.write(frame(correlationId, Buffer.concat([int16(58), string16('refused by the test peer'), int32(0), ...(version >= 1 ? [Buffer.alloc(8)] : [])])));
          socket.end();
        } else {
          socket.destroy();
        }
      }
    });
  }
}

async function startSaslPeer(tls: boolean) {
  const attempts: SaslAttempt[] = [];
  const server = tls
    ? createTlsServer({ key: readFileSync(fixture('server.key')), cert: readFileSync(fixture('server.pem')) })
    : createTcpServer();
  speakKafkaUntilAuthentication(server, tls, attempts);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { broker: `localhost:${port}`, attempts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {}); });

async function attempt(kind: 'kafka' | 'rdkafka', env: Record<string, string>, tls = false): Promise<SaslAttempt[]> {
  const peer = await startSaslPeer(tls);
  cleanups.push(peer.close);
  const security = kafkaSecurityFromConfig(loadConfig(commonConfigSchema, env));
  const bus: Bus = kind === 'kafka'
    ? new KafkajsBus({ brokers: [peer.broker], clientId: `vigil-sasl-${kind}`, security, retries: 0, connectionTimeoutMs: 2000 })
    : new RdkafkaBus({ brokers: [peer.broker], clientId: `vigil-sasl-${kind}`, security, connectTimeoutMs: 2500 });
  cleanups.push(() => bus.close());
  await expect(bus.connect()).rejects.toThrow();
  return peer.attempts;
}

test.each(['kafka', 'rdkafka'] as const)('%s bus: SCRAM-SHA-512 starts with the configured user', async (kind) => {
  const attempts = await attempt(kind, { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'vigil-scram', KAFKA_SASL_PASSWORD: 'pw' });
  expect(attempts.length).toBeGreaterThan(0);
  expect(attempts[0]).toMatchObject({ clientId: `vigil-sasl-${kind}`, mechanism: 'SCRAM-SHA-512' });
  expect(attempts[0]!.firstMessage).toMatch(/^n,,n=vigil-scram,r=\S+$/);
}, 30_000);

test.each(['kafka', 'rdkafka'] as const)('%s bus: SCRAM-SHA-256 over TLS (SASL_SSL)', async (kind) => {
  const attempts = await attempt(kind, {
    KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'vigil-tls', KAFKA_SASL_PASSWORD: 'pw', KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: fixture('ca.pem'),
  }, true);
  expect(attempts[0]).toMatchObject({ mechanism: 'SCRAM-SHA-256' });
  expect(attempts[0]!.firstMessage).toMatch(/^n,,n=vigil-tls,r=/);
}, 30_000);

test.each(['kafka', 'rdkafka'] as const)('%s bus: PLAIN sends the user and the password from KAFKA_SASL_PASSWORD_FILE', async (kind) => {
  const attempts = await attempt(kind, { KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'vigil-plain', KAFKA_SASL_PASSWORD_FILE: fixture('sasl-password.txt') });
  expect(attempts[0]).toMatchObject({ mechanism: 'PLAIN', firstMessage: '\u0000vigil-plain\u0000from-a-mounted-secret' });
}, 30_000);
