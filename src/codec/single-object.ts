/**
 * Avro single-object encoding: C3 01, the writer schema's CRC-64-AVRO fingerprint (8 bytes, little
 * endian), then the Avro body. Any Avro library can decode a record knowing only the .avsc files;
 * records written by an earlier published schema version are resolved to the current one.
 */
import avsc from 'avsc';
import { crc64Avro } from './crc64-avro.js';
import { VigilError } from '../errors.js';

const MARKER_0 = 0xc3;
const MARKER_1 = 0x01;
const HEADER_BYTES = 10;

export function canonicalForm(type: avsc.Type): string {
  return JSON.stringify(type.schema());
}

export function fingerprintOf(type: avsc.Type): Buffer {
  return crc64Avro(canonicalForm(type));
}

export interface SingleObjectCodec<T> {
  readonly type: avsc.Type;
  readonly fingerprint: Buffer;
  encode(record: T): Buffer;
  /** Throws VigilError VIGIL_DECODE naming what is wrong with the bytes. */
  decode(bytes: Buffer): T;
}

/**
 * A codec for one schema. `writers` are earlier versions this reader accepts; a record carrying
 * their fingerprint is decoded with the writer schema and resolved to the current one.
 */
export function singleObjectCodec<T>(schema: object, writers: object[] = []): SingleObjectCodec<T> {
  const type = avsc.Type.forSchema(schema as avsc.Schema);
  const fingerprint = fingerprintOf(type);
  const fingerprintKey = fingerprint.toString('hex');
  const resolvers = new Map<string, avsc.Resolver>();
  for (const writerSchema of writers) {
    const writer = avsc.Type.forSchema(writerSchema as avsc.Schema);
    const key = fingerprintOf(writer).toString('hex');
    if (key !== fingerprintKey) resolvers.set(key, type.createResolver(writer));
  }

  return {
    type,
    fingerprint,
    encode(record: T): Buffer {
      const body = type.toBuffer(record);
      const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
      out[0] = MARKER_0;
      out[1] = MARKER_1;
      fingerprint.copy(out, 2);
      body.copy(out, HEADER_BYTES);
      return out;
    },
    decode(bytes: Buffer): T {
      if (bytes.length < HEADER_BYTES || bytes[0] !== MARKER_0 || bytes[1] !== MARKER_1) {
        throw new VigilError('VIGIL_DECODE', `not an Avro single-object record: expected marker c301, got ${bytes.subarray(0, 2).toString('hex') || 'no bytes'}`);
      }
      const writerKey = bytes.subarray(2, HEADER_BYTES).toString('hex');
      const body = bytes.subarray(HEADER_BYTES);
      try {
        if (writerKey === fingerprintKey) return type.fromBuffer(body) as T;
        const resolver = resolvers.get(writerKey);
        if (!resolver) throw new VigilError('VIGIL_DECODE', `unknown writer schema fingerprint ${writerKey} for ${type.name ?? 'record'}`);
        return type.fromBuffer(body, resolver) as T;
      } catch (error) {
        if (error instanceof VigilError) throw error;
        throw new VigilError('VIGIL_DECODE', `invalid ${type.name ?? 'record'} body: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
