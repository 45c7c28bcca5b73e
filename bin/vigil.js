#!/usr/bin/env node
// Entry point of the `vigil` command: runs the TypeScript sources through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/vigil.ts');
