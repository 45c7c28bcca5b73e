import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { codecFor } from './codecs.js';
import { historicSchemas, readSchema, schemaHistoryDir, schemasDir, topicSchemas, topics } from './schemas.js';
import { realisticMetricBatch } from './metric-batch.fixtures.js';

type Schema = string | Schema[] | { type: string; name?: string; doc?: string; fields?: Field[]; items?: Schema; values?: Schema; symbols?: string[] };
interface Field { name: string; type: Schema; doc?: string; default?: unknown }

/** Every field of every record in a schema, named by its path, e.g. DiagnosisReport.evidence[].unit. */
function fieldsOf(schema: Schema, at: string, out = new Map<string, Field>()): Map<string, Field> {
  if (Array.isArray(schema)) schema.forEach((branch) => fieldsOf(branch, at, out));
  else if (typeof schema === 'object') {
    if (schema.type === 'record') for (const field of schema.fields ?? []) {
      out.set(`${at}.${field.name}`, field);
      fieldsOf(field.type, `${at}.${field.name}`, out);
    }
    if (schema.type === 'array') fieldsOf(schema.items!, `${at}[]`, out);
    if (schema.type === 'map') fieldsOf(schema.values!, `${at}{}`, out);
  }
  return out;
}

const schemaFiles = readdirSync(schemasDir).filter((file) => file.endsWith('.avsc')).sort();

describe('schemas/*.avsc', () => {
  it('every topic has its schema file', () => {
    for (const topic of topics) expect(schemaFiles).toContain(topicSchemas[topic]);
  });

  it.each(schemaFiles)('%s: every record, enum and field has a doc string', (file) => {
    const schema = readSchema(file) as Schema;
    const undocumented = [...fieldsOf(schema, file)].filter(([, field]) => !field.doc?.trim()).map(([name]) => name);
    expect(undocumented, `fields without "doc" in ${file}`).toEqual([]);
    const named: string[] = [];
    JSON.stringify(schema, (_key, value: { type?: string; name?: string; doc?: string }) => {
      if (value && (value.type === 'record' || value.type === 'enum') && !value.doc?.trim()) named.push(value.name!);
      return value;
    });
    expect(named, `records and enums without "doc" in ${file}`).toEqual([]);
  });

  it.each(schemaFiles)('%s: every field added since a published version has a default', (file) => {
    const current = fieldsOf(readSchema(file) as Schema, file);
    for (const { version, schema } of historicSchemas(file)) {
      const published = fieldsOf(schema as Schema, file);
      const missingDefault = [...current].filter(([name, field]) => !published.has(name) && !('default' in field)).map(([name]) => name);
      expect(missingDefault, `fields added since ${file} v${version} without a default`).toEqual([]);
    }
  });

  it('history files are named <schema>.v<N>.avsc after a current schema', () => {
    for (const file of readdirSync(schemaHistoryDir)) {
      expect(file).toMatch(/^(.+)\.v\d+\.avsc$/);
      expect(schemaFiles).toContain(file.replace(/\.v\d+\.avsc$/, '.avsc'));
    }
  });
});

describe('a downstream reader needs nothing but the .avsc file', () => {
  it.each(topics)('%s: a plain avsc Type from the file decodes the body after the 10 header bytes', (topic) => {
    const type = avsc.Type.forSchema(JSON.parse(readFileSync(path.join(schemasDir, topicSchemas[topic]), 'utf8')) as avsc.Schema);
    const record = topic === 'metrics.raw' ? realisticMetricBatch(9) : codecFor(topic).type.random();
    const bytes = codecFor(topic).encode(record as never);
    expect(type.fromBuffer(bytes.subarray(10))).toEqual(record);
  });
});
