#!/usr/bin/env node
// A downstream subscriber to Vigil's `anomalies` and `diagnosis.reports` topics, using only
// kafkajs and avsc plus Vigil's published .avsc files (no Vigil code). Prints one line per record.
//
//   npm install kafkajs avsc
//   KAFKA_BROKERS=kafka:9092 node examples/subscribe-anomalies.mjs
//
// Environment: KAFKA_BROKERS (host:port,...), VIGIL_TOPIC_PREFIX (as Vigil's), GROUP_ID (your
// consumer group, default my-anomaly-subscriber), SCHEMAS_DIR (the .avsc files, default ../schemas),
// SCHEMA_REGISTRY_URL (only when Vigil runs with VIGIL_SCHEMA_REGISTRY_URL).
//
// Record values come in one of two framings:
// - Avro single-object encoding: C3 01, the 8-byte little-endian CRC-64-AVRO fingerprint of the
//   writer's schema, then the Avro body. The fingerprint says which .avsc wrote it (the current
//   one, or an older one in schemas/history/, resolved to the current one here).
// - Confluent Schema Registry framing: 00, a 4-byte big-endian schema id, then the Avro body.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import kafkajs from 'kafkajs';

const schemasDir = process.env.SCHEMAS_DIR ?? fileURLToPath(new URL('../schemas/', import.meta.url));
const prefix = process.env.VIGIL_TOPIC_PREFIX ?? '';
const registryUrl = process.env.SCHEMA_REGISTRY_URL;

// CRC-64-AVRO (the Avro specification's Rabin fingerprint) of a schema's Parsing Canonical Form.
const EMPTY = 0xc15d213aa4d7a795n;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp;
});
function fingerprint(type) {
  let fp = EMPTY;
  for (const byte of Buffer.from(JSON.stringify(type.schema()))) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)];
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp);
  return out.toString('hex');
}

/** A decoder for one topic: the current .avsc reads records of every published version. */
function decoderFor(topic) {
  const reader = avro.Type.forSchema(JSON.parse(readFileSync(path.join(schemasDir, `${topic}.avsc`), 'utf8')));
  const writers = new Map([[fingerprint(reader), null]]);
  const historyDir = path.join(schemasDir, 'history');
  for (const file of readdirSync(historyDir).filter((name) => name.startsWith(`${topic}.v`))) {
    const writer = avro.Type.forSchema(JSON.parse(readFileSync(path.join(historyDir, file), 'utf8')));
    if (!writers.has(fingerprint(writer))) writers.set(fingerprint(writer), reader.createResolver(writer));
  }
  const registryResolvers = new Map();
  return async (bytes) => {
    if (bytes[0] === 0xc3 && bytes[1] === 0x01) {
      const writer = bytes.subarray(2, 10).toString('hex');
      if (!writers.has(writer)) throw new Error(`unknown writer schema ${writer}: update ${schemasDir}`);
      return reader.fromBuffer(bytes.subarray(10), writers.get(writer) ?? undefined);
    }
    if (bytes[0] === 0x00 && registryUrl) {
      const id = bytes.readUInt32BE(1);
      if (!registryResolvers.has(id)) {
        const answer = await (await fetch(`${registryUrl}/schemas/ids/${id}`)).json();
        registryResolvers.set(id, reader.createResolver(avro.Type.forSchema(JSON.parse(answer.schema))));
      }
      return reader.fromBuffer(bytes.subarray(5), registryResolvers.get(id));
    }
    throw new Error(`not a Vigil record (first bytes ${bytes.subarray(0, 2).toString('hex')})`);
  };
}

const where = (entity) => [entity.cluster, entity.node, entity.namespace, entity.pod, entity.container].filter(Boolean).join('/');
const show = {
  anomalies: (a) => `ANOMALY ${a.state} ${a.severity} ${where(a.entity)} ${a.metric} ${a.kind} value=${a.value} expected=[${a.expectedLow}, ${a.expectedHigh}] id=${a.id}`,
  'diagnosis.reports': (r) => `REPORT ${r.severity} ${where(r.entity)} ${r.rootCause.code}: ${r.rootCause.summary} (confidence ${r.confidence}) id=${r.id}`,
};
const decoders = Object.fromEntries(Object.keys(show).map((topic) => [prefix + topic, { topic, decode: decoderFor(topic) }]));

const kafka = new kafkajs.Kafka({ clientId: 'anomaly-subscriber', brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), logLevel: kafkajs.logLevel.WARN });
const consumer = kafka.consumer({ groupId: process.env.GROUP_ID ?? 'my-anomaly-subscriber' });
await consumer.connect();
await consumer.subscribe({ topics: Object.keys(decoders), fromBeginning: true });
await consumer.run({
  eachMessage: async ({ topic, message }) => {
    const { topic: name, decode } = decoders[topic];
    try {
      console.log(show[name](await decode(message.value)));
    } catch (error) {
      console.error(`${topic} offset ${message.offset}: ${error.message}`);
    }
  },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => consumer.disconnect().then(() => process.exit(0)));
