/** The `vigil` command: run a service, run them all, try a demo, tail a topic. */
import { Command, InvalidArgumentError } from 'commander';
import { registerCollectorCommands } from '../../services/collector/commands/cli.js';
import { registerDetectorCommands } from '../../services/detector/commands/detect.js';
import { registerDiagnoserCommands } from '../../services/diagnoser/commands/cli.js';
import { registerNotifierCommands } from '../../services/notifier/commands/cli.js';
import { registerScorerCommands } from '../../services/scorer/commands/cli.js';
import { services, startOrder } from '../../services/registry.js';
import { VigilError } from '../errors.js';
import { startHost, type Host } from '../runtime/host.js';
import { serviceNames, type ServiceDefinition, type ServiceName } from '../runtime/service.js';
import { registerDemoCommands } from './demo/commands.js';
import { registerTailCommand } from './tail.js';

const SHUTDOWN_BUDGET_MS = 10_000;

async function runHost(definitions: ServiceDefinition[]): Promise<void> {
  let host: Host;
  try {
    host = await startHost({ services: definitions });
  } catch (error) {
    if (error instanceof VigilError && error.code === 'VIGIL_CONFIG') {
      process.stderr.write(`vigil: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`vigil: ${signal}, stopping\n`);
    const deadline = setTimeout(() => {
      process.stderr.write(`vigil: did not stop within ${SHUTDOWN_BUDGET_MS / 1000} s\n`);
      process.exit(1);
    }, SHUTDOWN_BUDGET_MS);
    deadline.unref();
    host.close().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`vigil: close failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await host.started;
}

const program = new Command('vigil').description('Vigil: OS and Kubernetes anomaly detection, diagnosis, health and alerts over Kafka + Avro');

program
  .command('start')
  .description('run all five services in one process (VIGIL_BUS=memory by default), collecting this machine')
  .action(() => runHost(startOrder.map((name) => services[name])));

program
  .command('run')
  .argument('<service>', `one of ${serviceNames.join(', ')}`, (value: string) => {
    if (!(serviceNames as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${serviceNames.join(', ')}`);
    return value as ServiceName;
  })
  .description('run one service (use VIGIL_BUS=kafka or rdkafka to talk to the other services)')
  .action((name: ServiceName) => runHost([services[name]]));

registerDemoCommands(program);

registerTailCommand(program);
registerCollectorCommands(program);
registerDetectorCommands(program);
registerDiagnoserCommands(program);
registerScorerCommands(program);
registerNotifierCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A command's bad configuration exits 2 naming the variable, like a service's; other failures exit 1.
  process.stderr.write(`vigil: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof VigilError && error.code === 'VIGIL_CONFIG' ? 2 : 1);
}
