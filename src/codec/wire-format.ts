/**
 * How record values look on the wire. Two framings, one choice per installation:
 * - Avro single-object encoding (C3 01 + 8-byte CRC-64-AVRO fingerprint + body), the default: a
 *   reader needs only the .avsc files;
 * - Confluent Schema Registry framing (0x00 + 4-byte big-endian schema id + body) when
 *   VIGIL_SCHEMA_REGISTRY_URL is set: every topic's schema is registered at start under
 *   `<topic>-value` (TopicNameStrategy), records carry the id it got.
 * Decoding accepts both framings whatever the choice, so a topic written before a switch stays
 * readable. A registry id seen for the first time is looked up once and cached; its writer schema
 * is resolved to the current one (schema evolution), and a writer equal to the current schema
 * takes the same fast path as single-object records (the metrics.raw decoder).
 */
import avsc from 'avsc';
import { VigilError } from '../errors.js';
import { codecFor, deadLetterCodec, type TopicRecords } from './codecs.js';
import type { DeadLetter } from './records.generated.js';
import { readSchema, topicSchemas, topics, deadLetterSchemaFile, type Topic } from './schemas.js';
import type { CommonConfig } from '../runtime/config.js';
import { schemaRegistryClient, type SchemaRegistryClient } from './schema-registry-client.js';
import { canonicalForm, encodeAfterHeader, MARKER_0, type SingleObjectCodec } from './single-object.js';

/** First byte of a registry-framed record. */
export const REGISTRY_MAGIC_BYTE = 0;
const REGISTRY_HEADER_BYTES = 5;

export type Framing = 'single-object' | 'schema-registry';

export interface RecordCodec<T> {
  encode(record: T): Buffer;
  /**
   * Decodes either framing. Returns a value at once when the writer schema is known, a promise
   * only when a registry id must be looked up first. Throws (or rejects) VIGIL_DECODE for bytes
   * that cannot be read, VIGIL_BUS when the registry cannot be reached (worth retrying).
   */
  decode(bytes: Buffer): T | Promise<T>;
}

export interface WireFormat {
  readonly framing: Framing;
  /** The codec of a pipeline topic's records. */
  codec<T extends Topic>(topic: T): RecordCodec<TopicRecords[T]>;
  /** The codec of the dead letters of `topic` (its `<topic>.dlq`). */
  deadLetterCodec(topic: Topic): RecordCodec<DeadLetter>;
  /**
   * Registers the schema of every topic and dead-letter topic (registry framing); encode works
   * only after it resolved. Resolves at once for single-object encoding.
   */
  prepare(): Promise<void>;
}

export interface WireFormatOptions {
  /** VIGIL_TOPIC_PREFIX: subjects are `<prefix><topic>-value`. */
  topicPrefix?: string;
  /** Set = registry framing. */
  registry?: SchemaRegistryClient;
}

/** Subject of a topic's record values under the TopicNameStrategy. */
export function valueSubject(topicName: string): string {
  return `${topicName}-value`;
}

/** The schema id of a registry-framed record, or undefined when the bytes are not in that framing. */
export function registrySchemaId(bytes: Buffer): number | undefined {
  if (bytes.length < REGISTRY_HEADER_BYTES || bytes[0] !== REGISTRY_MAGIC_BYTE) return undefined;
  return bytes.readUInt32BE(1);
}

function registryHeader(id: number): Buffer {
  const header = Buffer.alloc(REGISTRY_HEADER_BYTES);
  header[0] = REGISTRY_MAGIC_BYTE;
  header.writeUInt32BE(id, 1);
  return header;
}

/** Registry-framed decoding for one reader schema: one decoder per writer id, built on first sight. */
class RegistryReader<T> {
  private readonly decoders = new Map<number, (bytes: Buffer) => T>();
  private readonly lookups = new Map<number, Promise<(bytes: Buffer) => T>>();
  private readonly readerForm: string;

  constructor(private readonly reader: SingleObjectCodec<T>, private readonly name: string) {
    this.readerForm = canonicalForm(reader.type);
  }

  /** Makes `id` known without asking the registry: the id the current schema was registered with. */
  knowCurrent(id: number): void {
    this.decoders.set(id, this.currentDecoder());
  }

  decode(bytes: Buffer, id: number, registry: SchemaRegistryClient | undefined): T | Promise<T> {
    const decoder = this.decoders.get(id);
    if (decoder) return this.run(decoder, bytes, id);
    if (!registry) {
      throw new VigilError('VIGIL_DECODE', `${this.name} record in Schema Registry framing (schema id ${id}), but VIGIL_SCHEMA_REGISTRY_URL is not set to look the id up`);
    }
    let lookup = this.lookups.get(id);
    if (!lookup) {
      lookup = registry.schemaById(id).then((writerSchema) => {
        const built = this.decoderFor(writerSchema, id);
        this.decoders.set(id, built);
        return built;
      }).finally(() => this.lookups.delete(id));
      this.lookups.set(id, lookup);
    }
    return lookup.then((built) => this.run(built, bytes, id));
  }

  private decoderFor(writerSchema: object, id: number): (bytes: Buffer) => T {
    let writer: avsc.Type;
    try {
      writer = avsc.Type.forSchema(writerSchema as avsc.Schema);
    } catch (error) {
      throw new VigilError('VIGIL_DECODE', `schema id ${id} is not a valid Avro schema: ${(error as Error).message}`, { cause: error });
    }
    if (canonicalForm(writer) === this.readerForm) return this.currentDecoder();
    let resolver: avsc.Resolver;
    try {
      resolver = this.reader.type.createResolver(writer);
    } catch (error) {
      throw new VigilError('VIGIL_DECODE', `${this.name} cannot read records written with schema id ${id} (${writer.name ?? 'unnamed'}): ${(error as Error).message}`, { cause: error });
    }
    return (bytes) => this.reader.type.fromBuffer(bytes.subarray(REGISTRY_HEADER_BYTES), resolver) as T;
  }

  private currentDecoder(): (bytes: Buffer) => T {
    const decodeBody = this.reader.decodeCurrentBody;
    return (bytes) => decodeBody(bytes, REGISTRY_HEADER_BYTES);
  }

  private run(decoder: (bytes: Buffer) => T, bytes: Buffer, id: number): T {
    try {
      return decoder(bytes);
    } catch (error) {
      if (error instanceof VigilError) throw error;
      throw new VigilError('VIGIL_DECODE', `invalid ${this.name} body (schema id ${id}): ${(error as Error).message}`, { cause: error });
    }
  }
}

/** A codec reading both framings and writing `framing`; `subjectId()` is the registered id, when registered. */
function recordCodec<T>(reader: RegistryReader<T>, codec: SingleObjectCodec<T>, registry: SchemaRegistryClient | undefined, subjectId: () => number | undefined, subject: string): RecordCodec<T> {
  let header: Buffer | undefined;
  return {
    encode: registry
      ? (record) => {
        if (!header) {
          const id = subjectId();
          if (id === undefined) throw new VigilError('VIGIL_BUS', `the schema of ${subject} is not registered yet: the wire format must be prepared before records are produced`);
          header = registryHeader(id);
        }
        return encodeAfterHeader(codec.type, header, record);
      }
      : (record) => codec.encode(record),
    decode(bytes) {
      if (bytes[0] === MARKER_0) return codec.decode(bytes);
      const id = registrySchemaId(bytes);
      if (id !== undefined) return reader.decode(bytes, id, registry);
      return codec.decode(bytes); // says what is wrong with the header
    },
  };
}

/** Single-object encoding, or registry framing when `registry` is given (call prepare() before encoding). */
export function createWireFormat(options: WireFormatOptions = {}): WireFormat {
  const prefix = options.topicPrefix ?? '';
  const { registry } = options;
  /** Registered id by subject. */
  const ids = new Map<string, number>();
  const codecs = new Map<string, RecordCodec<unknown>>();
  /** By schema file: what this wire format learnt about registry ids. */
  const readers = new Map<string, RegistryReader<unknown>>();
  function readerFor<T>(file: string, codec: SingleObjectCodec<T>): RegistryReader<T> {
    let reader = readers.get(file);
    if (!reader) {
      reader = new RegistryReader<unknown>(codec as SingleObjectCodec<unknown>, String(codec.type.name ?? file));
      readers.set(file, reader);
    }
    return reader as RegistryReader<T>;
  }
  const subjects: { subject: string; file: string }[] = [
    ...topics.map((topic) => ({ subject: valueSubject(prefix + topic), file: topicSchemas[topic] })),
    ...topics.map((topic) => ({ subject: valueSubject(`${prefix + topic}.dlq`), file: deadLetterSchemaFile })),
  ];
  let prepared: Promise<void> | undefined;

  function cached<T>(subject: string, make: () => RecordCodec<T>): RecordCodec<T> {
    let codec = codecs.get(subject);
    if (!codec) {
      codec = make() as RecordCodec<unknown>;
      codecs.set(subject, codec);
    }
    return codec as RecordCodec<T>;
  }

  return {
    framing: registry ? 'schema-registry' : 'single-object',
    codec<T extends Topic>(topic: T) {
      const subject = valueSubject(prefix + topic);
      return cached(subject, () => recordCodec(readerFor(topicSchemas[topic], codecFor(topic)), codecFor(topic), registry, () => ids.get(subject), subject));
    },
    deadLetterCodec(topic) {
      const subject = valueSubject(`${prefix + topic}.dlq`);
      return cached(subject, () => recordCodec(readerFor(deadLetterSchemaFile, deadLetterCodec()), deadLetterCodec(), registry, () => ids.get(subject), subject));
    },
    prepare() {
      if (!registry) return Promise.resolve();
      prepared ??= (async () => {
        for (const { subject, file } of subjects) {
          const id = await registry.register(subject, readSchema(file));
          ids.set(subject, id);
          // Records this process writes decode without a lookup.
          const codec = file === deadLetterSchemaFile ? deadLetterCodec() : codecFor(topics.find((topic) => topicSchemas[topic] === file)!);
          readerFor(file, codec as SingleObjectCodec<unknown>).knowCurrent(id);
        }
      })().catch((error: unknown) => {
        prepared = undefined;
        throw error;
      });
      return prepared;
    },
  };
}

/** The single-object wire format: what record I/O uses when nothing else is configured. */
export const singleObjectWireFormat: WireFormat = createWireFormat();

/** The wire format configured by VIGIL_SCHEMA_REGISTRY_URL (+ _USERNAME, _PASSWORD) and VIGIL_TOPIC_PREFIX. */
export function wireFormatFromConfig(
  config: Pick<CommonConfig, 'VIGIL_TOPIC_PREFIX' | 'VIGIL_SCHEMA_REGISTRY_URL' | 'VIGIL_SCHEMA_REGISTRY_USERNAME' | 'VIGIL_SCHEMA_REGISTRY_PASSWORD'>,
): WireFormat {
  if (config.VIGIL_SCHEMA_REGISTRY_PASSWORD !== undefined && config.VIGIL_SCHEMA_REGISTRY_USERNAME === undefined) {
    throw new VigilError('VIGIL_CONFIG', 'VIGIL_SCHEMA_REGISTRY_PASSWORD is set without VIGIL_SCHEMA_REGISTRY_USERNAME');
  }
  if (config.VIGIL_SCHEMA_REGISTRY_USERNAME !== undefined && config.VIGIL_SCHEMA_REGISTRY_URL === undefined) {
    throw new VigilError('VIGIL_CONFIG', 'VIGIL_SCHEMA_REGISTRY_USERNAME is set without VIGIL_SCHEMA_REGISTRY_URL');
  }
  const registry = config.VIGIL_SCHEMA_REGISTRY_URL === undefined ? undefined : schemaRegistryClient({
    url: config.VIGIL_SCHEMA_REGISTRY_URL,
    username: config.VIGIL_SCHEMA_REGISTRY_USERNAME,
    password: config.VIGIL_SCHEMA_REGISTRY_PASSWORD,
  });
  return createWireFormat({ topicPrefix: config.VIGIL_TOPIC_PREFIX, registry });
}
