/**
 * The Dockerfile, checked without a Docker engine: multi-stage on Node 20 slim, production
 * dependencies only in the final stage, a non-root user, the service chosen by argument through
 * bin/vigil.js, a HEALTHCHECK on /healthz at the port the services listen on by default, only
 * variables the code reads, and a build context (.dockerignore) that keeps every runtime file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { commonVariables, defaultHttpPort } from '../scripts/generate-deploy-env.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(root, '.dockerignore'), 'utf8');

/** Instructions with continuation lines joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
const args = Object.fromEntries(instructions.filter((entry) => entry.keyword === 'ARG').map((entry) => entry.args.split('=') as [string, string]));
const stageStarts = instructions.flatMap((entry, index) => (entry.keyword === 'FROM' ? [index] : []));
const finalStage = instructions.slice(stageStarts.at(-1));

/** .dockerignore semantics for the simple patterns used there: `*`, `**`, a leading `!` re-includes. */
function ignored(file: string): boolean {
  let result = false;
  for (const raw of dockerignore.split('\n').map((line) => line.trim())) {
    if (!raw || raw.startsWith('#')) continue;
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/|\/$/g, '');
    const source = pattern
      .split('/')
      .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
      .join('/')
      .replace(/\.\*\//g, '(.*/)?');
    // A pattern matching a directory excludes everything below it.
    if (new RegExp(`^${source}(/.*)?$`).test(file)) result = !negate;
  }
  return result;
}

describe('Dockerfile', () => {
  test('builds in stages from Node 20 slim: build tools and dev dependencies stay in the build stage', () => {
    expect(stageStarts.length).toBeGreaterThanOrEqual(2);
    const image = (from: string) => from.replace(/\$\{(\w+)\}/g, (_match, name: string) => args[name] ?? '').split(/\s+/)[0]!;
    for (const start of stageStarts) expect(image(instructions[start]!.args)).toMatch(/^node:20[.\w-]*-slim$/);
    const build = instructions.slice(stageStarts[0], stageStarts.at(-1)).map((entry) => entry.args).join('\n');
    expect(build).toMatch(/\bg\+\+/); // node-rdkafka compiles librdkafka
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(build).toMatch(/npm run build --if-present/);
    const final = finalStage.map((entry) => `${entry.keyword} ${entry.args}`).join('\n');
    expect(final).not.toMatch(/npm (ci|install)/);
    expect(final).not.toMatch(/g\+\+|build-essential|python3/);
    expect(final).toMatch(/COPY --from=build \/app/);
  });

  test('runs as a non-root user, the service chosen by argument through bin/vigil.js', () => {
    const user = finalStage.filter((entry) => entry.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    const entrypoint = JSON.parse(finalStage.find((entry) => entry.keyword === 'ENTRYPOINT')!.args) as string[];
    expect(entrypoint.slice(-2)).toEqual(['node', 'bin/vigil.js']);
    expect(existsSync(path.join(root, 'bin/vigil.js'))).toBe(true);
    // `docker run vigil run detector` replaces CMD; the default runs the whole pipeline.
    expect(JSON.parse(finalStage.find((entry) => entry.keyword === 'CMD')!.args)).toEqual(['start']);
  });

  test('health-checks /healthz on VIGIL_HTTP_PORT, defaulting to the port the services use, which it exposes', () => {
    const healthcheck = finalStage.find((entry) => entry.keyword === 'HEALTHCHECK')!.args;
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).toContain(`process.env.VIGIL_HTTP_PORT || ${defaultHttpPort()}`);
    expect(finalStage.find((entry) => entry.keyword === 'EXPOSE')?.args).toBe(String(defaultHttpPort()));
  });

  test('sets only variables the services read, binding every interface so published ports work', () => {
    const env = finalStage.filter((entry) => entry.keyword === 'ENV').flatMap((entry) => [...entry.args.matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!] as const));
    const vigil = env.filter(([name]) => name.startsWith('VIGIL_') || name.startsWith('KAFKA_'));
    for (const [name] of vigil) expect(commonVariables(), name).toContain(name);
    expect(Object.fromEntries(vigil).VIGIL_HTTP_HOST).toBe('0.0.0.0');
  });

  test('sends every runtime file in the build context and leaves tests, dependencies and local builds out', () => {
    for (const file of ['package.json', 'package-lock.json', 'bin/vigil.js', 'src/cli/vigil.ts', 'services/registry.ts', 'schemas/anomalies.avsc', 'services/detector/rules/default-rules.yaml', 'services/scorer/core/default-inspection.yaml']) {
      expect(existsSync(path.join(root, file)), file).toBe(true);
      expect(ignored(file), file).toBe(false);
    }
    for (const file of ['node_modules/zod/package.json', 'services/notifier/node_modules/x', 'test/cli.e2e.test.ts', 'services/collector/collector.test.ts', '.git/HEAD', '.vigil/bin/helm-render', 'services/console/dist/console.js']) {
      expect(ignored(file), file).toBe(true);
    }
  });
});
