/** Parses the command line and runs the command; a bad configuration exits 2 naming the variable, other failures 1. */
import type { Command } from 'commander';
import { VigilError } from '../errors.js';

export async function runProgram(program: Command): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    process.stderr.write(`vigil: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof VigilError && error.code === 'VIGIL_CONFIG' ? 2 : 1);
  }
}
