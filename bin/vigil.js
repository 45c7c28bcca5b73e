#!/usr/bin/env node
// Entry point of the `vigil` command: runs the TypeScript sources through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
// `vigil demo` loads only the demo (a small process, not one that looks like a memory hog itself) and
// `vigil run <service>` only that service: a collector does not carry the other services' libraries.
const entries = { demo: '../src/cli/demo/main.ts', run: '../src/cli/run-main.ts' };
await import(entries[process.argv[2]] ?? '../src/cli/vigil.ts');
