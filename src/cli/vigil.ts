/** The `vigil` command: run a service, run them all, try a demo, tail a topic. */
import { Command } from 'commander';
import { registerCollectorCommands } from '../../services/collector/commands/cli.js';
import { registerDetectorCommands } from '../../services/detector/commands/detect.js';
import { registerDiagnoserCommands } from '../../services/diagnoser/commands/cli.js';
import { registerNotifierCommands } from '../../services/notifier/commands/cli.js';
import { registerScorerCommands } from '../../services/scorer/commands/cli.js';
import { loadServices, startOrder } from '../../services/registry.js';
import { registerDemoCommands } from './demo/commands.js';
import { registerRunCommand } from './run-command.js';
import { runHost } from './run-host.js';
import { runProgram } from './run-program.js';
import { registerTailCommand } from './tail.js';

const program = new Command('vigil').description('Vigil: OS and Kubernetes anomaly detection, diagnosis, health and alerts over Kafka + Avro');

program
  .command('start')
  .description('run all five services in one process (VIGIL_BUS=memory by default), collecting this machine')
  .action(async () => runHost(await loadServices(startOrder)));

registerRunCommand(program);

registerDemoCommands(program);

registerTailCommand(program);
registerCollectorCommands(program);
registerDetectorCommands(program);
registerDiagnoserCommands(program);
registerScorerCommands(program);
registerNotifierCommands(program);

await runProgram(program);
