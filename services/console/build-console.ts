/** `npm run build:console` (also `prepare`, so `npm ci` builds it): the console's bundle into services/console/dist/. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildConsoleBundle } from './bundle.js';

const started = Date.now();
const esbuildMissing = await import('esbuild').then(() => false, () => true);
if (esbuildMissing) {
  // An install without dev dependencies (npm ci --omit=dev): build where they are installed.
  process.stdout.write('console bundle: not built, esbuild is not installed (a dev dependency); run npm run build:console where it is\n');
  process.exit(0);
}
const { dir, bytes } = await buildConsoleBundle();
const files = readdirSync(dir).map((name) => `${name} ${statSync(path.join(dir, name)).size} B`).join(', ');
process.stdout.write(`console bundle: ${path.relative(process.cwd(), dir)} (${files}; ${bytes} B in ${Date.now() - started} ms)\n`);
