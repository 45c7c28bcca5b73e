/**
 * Entry of `vigil run <service>` (bin/vigil.js routes here): none of the other commands' modules
 * are loaded, so a collector process holds the collector's code and libraries only.
 */
import { Command } from 'commander';
import { registerRunCommand } from './run-command.js';
import { runProgram } from './run-program.js';

const program = new Command('vigil');
registerRunCommand(program);
await runProgram(program);
