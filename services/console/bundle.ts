/**
 * The console's browser bundle: web/ (preact + htm, uPlot) built by esbuild into dist/ (git-ignored)
 * with index.html, console.js, console.css and manifest.json (a hash of the sources it was built
 * from). `npm run build:console` builds it (and `npm ci` through `prepare`); the scorer builds it at
 * start when it is missing or its sources changed, so nothing has to be run by hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = fileURLToPath(new URL('./web/', import.meta.url));
export const bundleDir = fileURLToPath(new URL('./dist/', import.meta.url));

interface Manifest {
  sourceHash: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)])
    .filter((file) => !file.endsWith('.test.ts'))
    .sort();
}

/** A hash of every web source file (names and contents). */
export function webSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(webDir)) hash.update(path.relative(webDir, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** True when dist/ holds a bundle of the current sources. */
export function bundleIsCurrent(dir = bundleDir): boolean {
  const manifest = path.join(dir, 'manifest.json');
  if (!existsSync(manifest) || !existsSync(path.join(dir, 'console.js'))) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as Manifest).sourceHash === webSourceHash();
  } catch {
    return false;
  }
}

/**
 * Builds into a fresh directory and swaps it in, so a process serving the old bundle, or another
 * process building at the same time, never sees half a bundle.
 */
export async function buildConsoleBundle(dir = bundleDir): Promise<{ dir: string; bytes: number }> {
  const esbuild = await import('esbuild');
  const sourceHash = webSourceHash();
  const staging = `${dir.replace(/\/$/, '')}.build-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    const result = await esbuild.build({
      entryPoints: { console: path.join(webDir, 'main.ts') },
      bundle: true,
      format: 'esm',
      target: 'es2020',
      minify: true,
      sourcemap: 'linked',
      outdir: staging,
      loader: { '.css': 'css' },
      metafile: true,
      logLevel: 'silent',
    });
    await writeFile(path.join(staging, 'index.html'), await readFile(path.join(webDir, 'index.html')));
    await writeFile(path.join(staging, 'manifest.json'), `${JSON.stringify({ sourceHash } satisfies Manifest)}\n`);
    const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
    const old = `${dir.replace(/\/$/, '')}.old-${process.pid}-${Date.now()}`;
    if (existsSync(dir)) await rename(dir, old).catch(() => undefined);
    await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process swapped its build in first: the same sources, so keep that one.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
    await rm(old, { recursive: true, force: true });
    return { dir, bytes };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Builds the bundle unless dist/ already holds one of the current sources. */
export async function ensureConsoleBundle(dir = bundleDir): Promise<'current' | 'built'> {
  if (bundleIsCurrent(dir)) return 'current';
  await buildConsoleBundle(dir);
  return 'built';
}
