/**
 * `vigil demo …` on its own: bin/vigil.js comes here instead of the full CLI, so the demo's parent
 * process loads only commander and the demo (a few MB) — not every service (a quarter of a GB),
 * which would itself look like a memory hog to the pipeline watching this machine.
 */
import { Command } from 'commander';
import { registerDemoCommands } from './commands.js';

const program = new Command('vigil');
registerDemoCommands(program);
await program.parseAsync(process.argv);
