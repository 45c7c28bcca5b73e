#!/usr/bin/env node
// Entry point of the `vigil` command: runs the TypeScript sources through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
// `vigil demo` loads only the demo: a small process, not one that looks like a memory hog itself.
await import(process.argv[2] === 'demo' ? '../src/cli/demo/main.ts' : '../src/cli/vigil.ts');
