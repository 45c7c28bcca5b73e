/** `vigil run <service>`: one service in this process, loaded alone (see services/registry.ts). */
import { InvalidArgumentError, type Command } from 'commander';
import { loadService } from '../../services/registry.js';
import { serviceNames, type ServiceName } from '../runtime/service.js';
import { parseServiceName, runHost } from './run-host.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .argument('<service>', `one of ${serviceNames.join(', ')}`, (value: string) => {
      try {
        return parseServiceName(value);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    })
    .description('run one service (use VIGIL_BUS=kafka or rdkafka to talk to the other services)')
    .action(async (name: ServiceName) => runHost([await loadService(name)]));
}
