/**
 * KAFKA_TLS_* on a real TLS connection, for both buses. The mock Kafka speaks neither TLS nor SASL,
 * so the peer here is a TLS server (Node's tls, the certificates in test/fixtures/tls) that reads
 * the first Kafka request a client sends after the handshake and closes: a request arriving means
 * the handshake passed with the configured CA / client certificate; none means it was refused.
 * SASL is not exercised on the wire (no broker here does it); its mapping is unit-tested in
 * src/bus/kafka-security.test.ts.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import type { Bus } from '../src/bus/bus.js';
import { kafkaSecurityFromConfig } from '../src/bus/kafka-security.js';
import { KafkajsBus } from '../src/bus/kafkajs-bus.js';
import { RdkafkaBus } from '../src/bus/rdkafka-bus.js';
import { commonConfigSchema, loadConfig } from '../src/runtime/config.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/tls/${name}`, import.meta.url));

interface KafkaRequest { apiKey: number; clientId: string; peerCommonName: string | undefined }

/** A TLS endpoint that records the first Kafka request of each connection (size, api key, version, correlation id, client id). */
async function startTlsPeer(options: { requireClientCertificate?: boolean } = {}) {
  const requests: KafkaRequest[] = [];
  const handshakeFailures: string[] = [];
  const server = createServer({
    key: readFileSync(fixture('server.key')),
    cert: readFileSync(fixture('server.pem')),
    ca: readFileSync(fixture('ca.pem')),
    requestCert: options.requireClientCertificate ?? false,
    rejectUnauthorized: options.requireClientCertificate ?? false,
  }, (socket: TLSSocket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4 || buffered.length < 4 + buffered.readInt32BE(0)) return;
      const clientIdLength = buffered.readInt16BE(12);
      const commonName = socket.getPeerCertificate()?.subject?.CN;
      requests.push({ apiKey: buffered.readInt16BE(4), clientId: buffered.subarray(14, 14 + clientIdLength).toString('utf8'), peerCommonName: Array.isArray(commonName) ? commonName[0] : commonName });
      socket.destroy();
    });
    socket.on('error', () => {});
  });
  server.on('tlsClientError', (error) => handshakeFailures.push(error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { broker: `localhost:${port}`, requests, handshakeFailures, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

type Peer = Awaited<ReturnType<typeof startTlsPeer>>;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {}); });

function busFor(kind: 'kafka' | 'rdkafka', peer: Peer, env: Record<string, string>): Bus {
  const security = kafkaSecurityFromConfig(loadConfig(commonConfigSchema, env));
  const bus = kind === 'kafka'
    ? new KafkajsBus({ brokers: [peer.broker], clientId: `vigil-tls-${kind}`, security, retries: 0, connectionTimeoutMs: 2000 })
    : new RdkafkaBus({ brokers: [peer.broker], clientId: `vigil-tls-${kind}`, security, connectTimeoutMs: 2500 });
  cleanups.push(() => bus.close());
  return bus;
}

async function attempt(kind: 'kafka' | 'rdkafka', env: Record<string, string>, peerOptions?: { requireClientCertificate?: boolean }): Promise<Peer> {
  const peer = await startTlsPeer(peerOptions);
  cleanups.push(peer.close);
  // The peer is not Kafka: connect() fails after the first request either way.
  await expect(busFor(kind, peer, env).connect()).rejects.toThrow();
  return peer;
}

test.each(['kafka', 'rdkafka'] as const)('%s bus: KAFKA_TLS with the CA that signed the broker sends Kafka requests over TLS', async (kind) => {
  const peer = await attempt(kind, { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: fixture('ca.pem') });
  expect(peer.requests.length).toBeGreaterThan(0);
  expect(peer.requests[0]!.clientId).toBe(`vigil-tls-${kind}`);
  expect(peer.requests[0]!.apiKey).toBe(18); // ApiVersions comes first
}, 30_000);

test.each(['kafka', 'rdkafka'] as const)('%s bus: a broker certificate from another CA is refused, unless KAFKA_TLS_INSECURE', async (kind) => {
  const refused = await attempt(kind, { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: fixture('other-ca.pem') });
  expect(refused.requests).toEqual([]);
  const insecure = await attempt(kind, { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: fixture('other-ca.pem'), KAFKA_TLS_INSECURE: 'true' });
  expect(insecure.requests.length).toBeGreaterThan(0);
}, 30_000);

test.each(['kafka', 'rdkafka'] as const)('%s bus: mutual TLS presents KAFKA_TLS_CERT_FILE; without it the broker refuses', async (kind) => {
  const withCertificate = await attempt(kind, { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: fixture('ca.pem'), KAFKA_TLS_CERT_FILE: fixture('client.pem'), KAFKA_TLS_KEY_FILE: fixture('client.key') }, { requireClientCertificate: true });
  expect(withCertificate.requests[0]?.peerCommonName).toBe('vigil-client');
  const without = await attempt(kind, { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: fixture('ca.pem') }, { requireClientCertificate: true });
  expect(without.requests).toEqual([]);
}, 30_000);

test.each(['kafka', 'rdkafka'] as const)('%s bus: without KAFKA_TLS no TLS handshake happens', async (kind) => {
  const peer = await attempt(kind, {});
  expect(peer.requests).toEqual([]);
  expect(peer.handshakeFailures.length).toBeGreaterThan(0);
}, 30_000);
