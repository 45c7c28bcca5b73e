/** `vigil health`: the scorer's current scores as a table, read from its HTTP API. */
import { InvalidArgumentError, type Command } from 'commander';
import { healthLevelSymbols, type HealthLevel } from '../../../src/codec/records.generated.js';
import { commonConfigSchema, loadConfig } from '../../../src/runtime/config.js';
import type { EntityScore } from '../http/health-api.js';
import { renderHealthTable } from './health-table.js';

function levelOption(value: string): HealthLevel {
  const level = value.toUpperCase();
  if (!(healthLevelSymbols as readonly string[]).includes(level)) throw new InvalidArgumentError(`expected one of ${healthLevelSymbols.join(', ')}`);
  return level as HealthLevel;
}

/** GET `${baseUrl}/api/health[?level=]`; throws naming the URL when the scorer cannot be reached or refuses. */
export async function fetchCurrentScores(baseUrl: string, level?: HealthLevel): Promise<EntityScore[]> {
  const url = new URL('/api/health', baseUrl);
  if (level) url.searchParams.set('level', level);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new Error(`cannot reach the scorer at ${url.href} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}); is vigil start or vigil run scorer running, and on which VIGIL_HTTP_PORT?`, { cause: error });
  }
  const body = await response.text();
  if (!response.ok) throw new Error(`${url.href} answered ${response.status}: ${body}`);
  return (JSON.parse(body) as { entities: EntityScore[] }).entities;
}

export function registerScorerCommands(program: Command): void {
  program
    .command('health')
    .description('print the current health scores (entity, level, score, grade, top item) from a running scorer\'s HTTP API')
    .option('--level <level>', `only ${healthLevelSymbols.join(', ')}`, levelOption)
    .option('--url <url>', 'the scorer\'s HTTP address (default http://127.0.0.1:$VIGIL_HTTP_PORT)')
    .action(async (options: { level?: HealthLevel; url?: string }) => {
      const baseUrl = options.url ?? `http://127.0.0.1:${loadConfig(commonConfigSchema).VIGIL_HTTP_PORT}`;
      process.stdout.write(renderHealthTable(await fetchCurrentScores(baseUrl, options.level)));
    });
}
