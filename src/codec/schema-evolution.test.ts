import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { codecFor, deadLetterCodec } from './codecs.js';
import { singleObjectCodec } from './single-object.js';
import { deadLetterSchemaFile, historicSchemas, readSchema, topicSchemas, topics } from './schemas.js';
import { VigilError } from '../errors.js';

interface RecordSchema { name: string; fields: { name: string; type: unknown; doc?: string; default?: unknown }[] }

const codecsByFile = [
  ...topics.map((topic) => [topicSchemas[topic], codecFor(topic)] as const),
  [deadLetterSchemaFile, deadLetterCodec()] as const,
];
const historicVersions = codecsByFile.flatMap(([file, codec]) =>
  historicSchemas(file).map(({ version, schema }) => [`${file} v${version}`, schema, codec] as const));

describe('schema history', () => {
  it('has at least one published version of every schema', () => {
    for (const [file] of codecsByFile) expect(historicSchemas(file).length, `schemas/history has no version of ${file}`).toBeGreaterThan(0);
  });

  it.each(historicVersions)('%s records are read by the current schema', (_name, writerSchema, codec) => {
    const writer = singleObjectCodec<unknown>(writerSchema);
    for (let i = 0; i < 20; i++) {
      const written = writer.type.random() as unknown as Record<string, unknown>;
      const decoded = codec.decode(writer.encode(written)) as unknown as Record<string, unknown>;
      // Resolution keeps every field the reader still has; with identical schemas, the whole record.
      expect(codec.type.isValid(decoded)).toBe(true);
      for (const field of (writerSchema as unknown as RecordSchema).fields) {
        if (field.name in decoded) expect(decoded[field.name]).toEqual(written[field.name]);
      }
    }
  });
});

describe('schema resolution', () => {
  const current = readSchema('notifications.avsc') as unknown as RecordSchema;
  const record = {
    id: 'n1', dedupKey: 'report:d1', channel: 'email', receiver: 'ops@example.com', status: 'SENT', subject: 'worker-3 memory',
    sourceIds: ['d1'], attempts: 1, error: null, timestampMs: 1_764_000_000_000,
  };

  it('an evolved reader (a new field with a default) reads records written with the current schema', () => {
    const evolved = { ...current, fields: [...current.fields, { name: 'locale', type: 'string', default: 'en', doc: 'Language of the message.' }] };
    const reader = singleObjectCodec<Record<string, unknown>>(evolved, [current]);
    const written = codecFor('notifications').encode(record as never);
    expect(reader.fingerprint).not.toEqual(codecFor('notifications').fingerprint);
    expect(reader.decode(written)).toEqual({ ...record, locale: 'en' });
  });

  it('an incompatible reader (a new field without default) is rejected when the codec is built, naming the schema', () => {
    const incompatible = { ...current, fields: [...current.fields, { name: 'locale', type: 'string', doc: 'Language of the message.' }] };
    let error: unknown;
    try {
      singleObjectCodec(incompatible, [current]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).message).toMatch(/schema io\.vigil\.Notification cannot read records written with its earlier version #1 .*a field added since needs a default/);
  });

  it('a writer the reader was not built with is an unknown fingerprint, not a silent misread', () => {
    const evolved = { ...current, fields: [...current.fields, { name: 'locale', type: 'string', default: 'en', doc: 'Language.' }] };
    const newer = singleObjectCodec<Record<string, unknown>>(evolved);
    expect(() => codecFor('notifications').decode(newer.encode({ ...record, locale: 'de' }))).toThrow(/unknown writer schema fingerprint/);
  });

  it('resolves with avsc exactly as a downstream Avro reader would', () => {
    const evolved = avsc.Type.forSchema({ ...current, fields: [...current.fields, { name: 'locale', type: 'string', default: 'en' }] } as avsc.Schema);
    const writer = avsc.Type.forSchema(current as unknown as avsc.Schema);
    expect(evolved.fromBuffer(writer.toBuffer(record), evolved.createResolver(writer))).toMatchObject({ locale: 'en', subject: record.subject });
  });
});
