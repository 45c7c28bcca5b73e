/**
 * Writes the README's configuration table from the zod config schemas, so the documentation is
 * generated from the contract, not repeated. Run `npm run generate`; a test fails while stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { loadServices } from '../services/registry.js';
import type { ServiceDefinition, ServiceName } from '../src/runtime/service.js';
import { commonConfigSchema, describeConfig } from '../src/runtime/config.js';

const services = Object.fromEntries((await loadServices()).map((service) => [service.name, service])) as Record<ServiceName, ServiceDefinition>;

export const readmeFile = fileURLToPath(new URL('../README.md', import.meta.url));
const BEGIN = '<!-- config:begin -->';
const END = '<!-- config:end -->';

export function configTable(): string {
  const rows = new Map<string, { description: string; defaultValue: string; usedBy: string[] }>();
  const add = (schema: z.ZodObject, owner: string): void => {
    for (const { variable, description, defaultValue } of describeConfig(schema)) {
      const row = rows.get(variable) ?? { description, defaultValue, usedBy: [] };
      if (!row.usedBy.includes(owner)) row.usedBy.push(owner);
      rows.set(variable, row);
    }
  };
  add(commonConfigSchema, 'all');
  for (const service of Object.values(services)) add(service.configSchema, service.name);
  const lines = ['| variable | default | used by | meaning |', '| --- | --- | --- | --- |'];
  for (const [variable, row] of rows) {
    const usedBy = row.usedBy.includes('all') ? 'all' : row.usedBy.join(', ');
    const defaultValue = variable === 'VIGIL_NODE' ? 'host name' : row.defaultValue && row.defaultValue !== '""' ? `\`${row.defaultValue.replace(/^"|"$/g, '').replace(/[[\]"]/g, '')}\`` : '';
    lines.push(`| \`${variable}\` | ${defaultValue} | ${usedBy} | ${row.description} |`);
  }
  return lines.join('\n');
}

export function renderReadme(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${BEGIN} … ${END} markers`);
  return `${readme.slice(0, start + BEGIN.length)}\n${configTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(readmeFile, renderReadme(readFileSync(readmeFile, 'utf8')));
  console.log('wrote the configuration table of README.md');
}
