/** `vigil demo …`: scenarios to try the pipeline with. Imports nothing of the services, so a demo process stays small. */
import { InvalidArgumentError, type Command } from 'commander';
import { safeCapMiB, spawnMemoryHog } from './memory-hog.js';

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('scenarios to try the pipeline with');
  demo
    .command('memory-hog')
    .description('start a child that allocates memory steadily; prints its pid first')
    .option('--rate <MiB/s>', 'allocation rate', positiveNumber, 40)
    .option('--cap <MiB>', 'stop growing at this size (never above 1/4 of available memory)', positiveNumber, 2048)
    .option('--seconds <s>', 'exit after this long', positiveNumber, 150)
    .action((options: { rate: number; cap: number; seconds: number }) => {
      const child = spawnMemoryHog({ rateMiBps: options.rate, capMiB: safeCapMiB(options.cap), seconds: options.seconds });
      process.stdout.write(`${child.pid}\n`);
      const forward = (signal: NodeJS.Signals): void => { child.kill(signal); };
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (code) => process.exit(code ?? 0));
    });
}
