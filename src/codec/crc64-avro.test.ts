import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { crc64Avro } from './crc64-avro.js';
import { canonicalForm } from './single-object.js';
import { codecFor, deadLetterCodec } from './codecs.js';
import { topics } from './schemas.js';

/**
 * Cases from the Avro project's share/test/data/schema-tests.txt: schema, its Parsing Canonical
 * Form, and the CRC-64-AVRO fingerprint as Java's signed 64-bit long.
 */
const specVectors: [input: string, canonical: string, fingerprint: bigint][] = [
  ['"null"', '"null"', 7195948357588979594n],
  ['"boolean"', '"boolean"', -6970731678124411036n],
  ['"int"', '"int"', 8247732601305521295n],
  ['{"type":"long"}', '"long"', -3434872931120570953n],
  ['"float"', '"float"', 5583340709985441680n],
  ['"double"', '"double"', -8181574048448539266n],
  ['"bytes"', '"bytes"', 5746618253357095269n],
  ['"string"', '"string"', -8142146995180207161n],
  ['[ "int" , {"type":"boolean"} ]', '["int","boolean"]', 5392556393470105090n],
  ['{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}', '{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771n],
  ['{"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]}', '{"name":"foo","type":"record","fields":[]}', -4824392279771201922n],
  [
    '{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":true}, {"order":"descending","name":"f2","doc":"Hello","type":"int"}], "type":"record", "name":"foo" }',
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    -4860222112080293046n,
  ],
  ['{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}', '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', -4448647247586288245n],
  ['{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}', '{"name":"x.y.z.foo","type":"fixed","size":32}', -3064184465700546786n],
  ['{ "items":{"type":"null"}, "type":"array"}', '{"type":"array","items":"null"}', -589620603366471059n],
  ['{ "values":"string", "type":"map"}', '{"type":"map","values":"string"}', -8732877298790414990n],
];

describe('crc64Avro', () => {
  it('fingerprints "null" as 0x63dd24e7cc258f8a, written little-endian', () => {
    const fingerprint = crc64Avro('"null"');
    expect(fingerprint.readBigUInt64LE()).toBe(0x63dd24e7cc258f8an);
    expect(fingerprint.toString('hex')).toBe('8a8f25cce724dd63');
  });

  it.each(specVectors)('%s → %s → %d (Avro spec test data)', (input, canonical, expected) => {
    const form = canonicalForm(avsc.Type.forSchema(JSON.parse(input) as avsc.Schema));
    expect(form).toBe(canonical);
    expect(crc64Avro(form).readBigInt64LE()).toBe(expected);
  });
});

describe('single-object header', () => {
  const codecs = [...topics.map((topic) => [topic, codecFor(topic)] as const), ['dead letters', deadLetterCodec()] as const];

  it.each(codecs)('%s: C3 01 then the little-endian CRC-64-AVRO of the schema\'s canonical form', (_topic, codec) => {
    const fingerprint = crc64Avro(canonicalForm(codec.type));
    expect(codec.fingerprint).toEqual(fingerprint);
    const bytes = codec.encode(codec.type.random() as never);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(bytes.subarray(2, 10)).toEqual(fingerprint);
  });
});
