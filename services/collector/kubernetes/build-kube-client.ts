/**
 * `npm run build:kube-client` (also `prepare`): bundles the part of @kubernetes/client-node Vigil
 * uses (kube-client-entry.ts) into dist/kube-client.mjs, tree-shaken, so a collector or diagnoser
 * that talks to a cluster loads ~20 MB instead of the whole package (see kube-client.ts).
 */
import { renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubeClientBundle } from './kube-client.js';

const esbuild = await import('esbuild').catch(() => undefined);
if (!esbuild) {
  // An install without dev dependencies: the package itself is loaded instead.
  process.stdout.write('kube client bundle: not built, esbuild is not installed (a dev dependency); @kubernetes/client-node is loaded whole\n');
  process.exit(0);
}
const started = Date.now();
const temporary = `${kubeClientBundle}.${process.pid}.tmp.mjs`;
await esbuild.build({
  entryPoints: [fileURLToPath(new URL('./kube-client-entry.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Smaller source text is less memory held by every process that loads it; names kept for stack traces.
  minify: true,
  keepNames: true,
  outfile: temporary,
  logLevel: 'warning',
  // The package's CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as vigilCreateRequire } from 'node:module'; const require = vigilCreateRequire(import.meta.url);" },
});
// Renamed into place, so a process starting meanwhile sees the old bundle or the new one, whole.
renameSync(temporary, kubeClientBundle);
rmSync(`${temporary}.map`, { force: true });
process.stdout.write(`kube client bundle: ${path.relative(process.cwd(), kubeClientBundle)} (${statSync(kubeClientBundle).size} B in ${Date.now() - started} ms)\n`);
