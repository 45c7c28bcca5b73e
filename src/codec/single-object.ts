/**
 * Avro single-object encoding: C3 01, the writer schema's CRC-64-AVRO fingerprint (8 bytes, little
 * endian), then the Avro body. Any Avro library can decode a record knowing only the .avsc files;
 * records written by an earlier published schema version are resolved to the current one.
 */
import avsc from 'avsc';
import { crc64Avro } from './crc64-avro.js';
import { VigilError } from '../errors.js';

/** First byte of every single-object record (C3 01 …); registry-framed records start with 0x00. */
export const MARKER_0 = 0xc3;
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
  /**
   * Decodes a body written with the current schema, from `offset` to the end (the fast decoder when
   * there is one); other framings of the same body reuse it. Throws whatever the decoder throws.
   */
  readonly decodeCurrentBody: (bytes: Buffer, offset: number) => T;
}

export interface SingleObjectCodecOptions<T> {
  /**
   * A faster decoder for bodies written with the current schema (bytes from `offset` to the end),
   * exactly equivalent to avsc's; records from earlier writer schemas still go through avsc.
   */
  decodeCurrentBody?: (bytes: Buffer, offset: number) => T;
}

// Scratch space encode writes into before copying the record out once; grows to the largest record.
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** `header` followed by the Avro body of `record`, in one buffer of exactly that size. */
export function encodeAfterHeader(type: avsc.Type, header: Buffer, record: unknown): Buffer {
  const headerBytes = header.length;
  let length = type.encode(record, scratch, headerBytes);
  if (length < 0) {
    scratch = Buffer.allocUnsafeSlow(Math.max(2 * scratch.length, scratch.length - length));
    length = type.encode(record, scratch, headerBytes);
  }
  const out = Buffer.allocUnsafe(length);
  header.copy(out, 0);
  scratch.copy(out, headerBytes, headerBytes, length);
  return out;
}

/**
 * A codec for one schema. `writers` are earlier versions this reader accepts; a record carrying
 * their fingerprint is decoded with the writer schema and resolved to the current one. Throws
 * VigilError VIGIL_DECODE naming the schema when a writer cannot be resolved (e.g. the current
 * schema added a field without a default), so an incompatible change fails at start, not per record.
 */
export function singleObjectCodec<T>(schema: object, writers: object[] = [], options: SingleObjectCodecOptions<T> = {}): SingleObjectCodec<T> {
  const type = avsc.Type.forSchema(schema as avsc.Schema);
  const name = type.name ?? 'record';
  const fingerprint = fingerprintOf(type);
  const fingerprintKey = fingerprint.toString('hex');
  const resolvers = new Map<string, avsc.Resolver>();
  for (const [index, writerSchema] of writers.entries()) {
    const writer = avsc.Type.forSchema(writerSchema as avsc.Schema);
    const key = fingerprintOf(writer).toString('hex');
    if (key === fingerprintKey) continue;
    try {
      resolvers.set(key, type.createResolver(writer));
    } catch (error) {
      throw new VigilError('VIGIL_DECODE', `schema ${name} cannot read records written with its earlier version #${index + 1} (fingerprint ${key}): ${(error as Error).message}; a field added since needs a default`, { cause: error });
    }
  }
  const decodeCurrentBody = options.decodeCurrentBody ?? ((bytes: Buffer, offset: number) => type.fromBuffer(offset === 0 ? bytes : bytes.subarray(offset)) as T);
  const header = Buffer.concat([Buffer.from([MARKER_0, MARKER_1]), fingerprint]);

  return {
    type,
    fingerprint,
    decodeCurrentBody,
    encode(record: T): Buffer {
      return encodeAfterHeader(type, header, record);
    },
    decode(bytes: Buffer): T {
      if (bytes.length < HEADER_BYTES || bytes[0] !== MARKER_0 || bytes[1] !== MARKER_1) {
        throw new VigilError('VIGIL_DECODE', `not an Avro single-object record: expected marker c301, got ${bytes.subarray(0, 2).toString('hex') || 'no bytes'}${bytes.length < HEADER_BYTES ? ` (${bytes.length} bytes, the header alone is ${HEADER_BYTES})` : ''}`);
      }
      try {
        if (isCurrentWriter(bytes)) return decodeCurrentBody(bytes, HEADER_BYTES);
        const writerKey = bytes.subarray(2, HEADER_BYTES).toString('hex');
        const resolver = resolvers.get(writerKey);
        if (!resolver) throw new VigilError('VIGIL_DECODE', `unknown writer schema fingerprint ${writerKey} for ${name}: neither the current schema (${fingerprintKey}) nor a version in schemas/history`);
        return type.fromBuffer(bytes.subarray(HEADER_BYTES), resolver) as T;
      } catch (error) {
        if (error instanceof VigilError) throw error;
        throw new VigilError('VIGIL_DECODE', `invalid ${name} body: ${(error as Error).message}`, { cause: error });
      }
    },
  };

  function isCurrentWriter(bytes: Buffer): boolean {
    for (let i = 0; i < 8; i++) if (bytes[2 + i] !== fingerprint[i]) return false;
    return true;
  }
}
