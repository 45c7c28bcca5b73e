/**
 * Generates src/codec/records.generated.ts from schemas/*.avsc, so TypeScript types are never
 * written twice. Run `npm run generate` after editing a schema; a test fails while the file is stale.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSchema, schemasDir } from '../src/codec/schemas.js';

type Schema = string | Schema[] | { type: string; name?: string; fields?: Field[]; symbols?: string[]; items?: Schema; values?: Schema; doc?: string };
interface Field { name: string; type: Schema; doc?: string; default?: unknown }

const primitives: Record<string, string> = {
  null: 'null', boolean: 'boolean', int: 'number', long: 'number', float: 'number', double: 'number', bytes: 'Buffer', string: 'string',
};

export function generateRecordTypes(files: string[]): string {
  const declarations = new Map<string, string>();

  const typeOf = (schema: Schema): string => {
    if (typeof schema === 'string') return primitives[schema] ?? shortName(schema);
    if (Array.isArray(schema)) return schema.map(typeOf).join(' | ');
    switch (schema.type) {
      case 'record': {
        const name = shortName(schema.name!);
        if (!declarations.has(name)) {
          declarations.set(name, ''); // reserve before recursing
          const fields = schema.fields!.map((f) => `${doc(f.doc, '  ')}  ${f.name}: ${typeOf(f.type)};`).join('\n');
          declarations.set(name, `${doc(schema.doc, '')}export interface ${name} {\n${fields}\n}\n`);
        }
        return name;
      }
      case 'enum': {
        const name = shortName(schema.name!);
        if (!declarations.has(name)) {
          declarations.set(name, `${doc(schema.doc, '')}export type ${name} = ${schema.symbols!.map((s) => `'${s}'`).join(' | ')};\nexport const ${lowerFirst(name)}Symbols = [${schema.symbols!.map((s) => `'${s}'`).join(', ')}] as const;\n`);
        }
        return name;
      }
      case 'array': return `${wrap(typeOf(schema.items!))}[]`;
      case 'map': return `Record<string, ${typeOf(schema.values!)}>`;
      default: return primitives[schema.type] ?? shortName(schema.type);
    }
  };

  for (const file of files) typeOf(readSchema(file) as Schema);
  const header = '// Generated from schemas/*.avsc by scripts/generate-record-types.ts (npm run generate). Do not edit.\n/* eslint-disable */\n';
  return header + '\n' + [...declarations.values()].join('\n');
}

function shortName(name: string): string { return name.split('.').pop()!; }
function lowerFirst(name: string): string { return name[0]!.toLowerCase() + name.slice(1); }
function wrap(type: string): string { return type.includes('|') ? `(${type})` : type; }
function doc(text: string | undefined, indent: string): string { return text ? `${indent}/** ${text} */\n` : ''; }

export const generatedRecordTypesFile = fileURLToPath(new URL('../src/codec/records.generated.ts', import.meta.url));

export function currentSchemaFiles(): string[] {
  return readdirSync(schemasDir).filter((f) => f.endsWith('.avsc')).sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(generatedRecordTypesFile, generateRecordTypes(currentSchemaFiles()));
  console.log(`wrote ${path.relative(process.cwd(), generatedRecordTypesFile)}`);
}
