/** `vigil health`: the scorer's current scores as a table, read from its HTTP API. */
import { InvalidArgumentError, type Command } from 'commander';
import { healthLevelSymbols, type HealthLevel } from '../../../src/codec/records.generated.js';
import { callApi, localApiUrl } from '../../../src/cli/api-client.js';
import type { EntityScore } from '../http/health-api.js';
import { renderHealthTable } from './health-table.js';

function levelOption(value: string): HealthLevel {
  const level = value.toUpperCase();
  if (!(healthLevelSymbols as readonly string[]).includes(level)) throw new InvalidArgumentError(`expected one of ${healthLevelSymbols.join(', ')}`);
  return level as HealthLevel;
}

/** GET `${baseUrl}/api/health[?level=]`; throws naming the URL when the scorer cannot be reached or refuses. */
export async function fetchCurrentScores(baseUrl: string, level?: HealthLevel): Promise<EntityScore[]> {
  const path = level ? `/api/health?level=${level}` : '/api/health';
  return (await callApi<{ entities: EntityScore[] }>({ service: 'scorer', baseUrl, path })).entities;
}

export function registerScorerCommands(program: Command): void {
  program
    .command('health')
    .description('print the current health scores (entity, level, score, grade, top item) from a running scorer\'s HTTP API')
    .option('--level <level>', `only ${healthLevelSymbols.join(', ')}`, levelOption)
    .option('--url <url>', 'the scorer\'s HTTP address (default http://127.0.0.1:$VIGIL_HTTP_PORT)')
    .action(async (options: { level?: HealthLevel; url?: string }) => {
      const baseUrl = options.url ?? localApiUrl();
      process.stdout.write(renderHealthTable(await fetchCurrentScores(baseUrl, options.level)));
    });
}
