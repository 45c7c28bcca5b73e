/**
 * `vigil silence add|list|expire` and `vigil notifications`: the notifier's HTTP API (api.ts) from
 * the command line, against a running notifier (--url, default http://127.0.0.1:$VIGIL_HTTP_PORT).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Notification } from '../../../src/codec/records.generated.js';
import { callApi, localApiUrl } from '../../../src/cli/api-client.js';
import type { SilenceJson } from '../api.js';

/** Calls the notifier's API (see src/cli/api-client.ts). */
export const callNotifier = <T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> =>
  callApi<T>({ service: 'notifier', baseUrl, method, path, body });

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n') + '\n';
}

export function renderSilences(silences: readonly SilenceJson[]): string {
  if (silences.length === 0) return 'no silences\n';
  return pad([
    ['ID', 'STATUS', 'ENDS', 'CREATED BY', 'MATCHERS', 'COMMENT'],
    ...silences.map((silence) => [silence.id, silence.status, silence.endsAt, silence.createdBy, silence.matchers.join(','), silence.comment]),
  ]);
}

export function renderNotifications(notifications: readonly (Notification & { recordedAt: string })[]): string {
  if (notifications.length === 0) return 'no notifications\n';
  return pad([
    ['TIME', 'STATUS', 'CHANNEL', 'RECEIVER', 'ATTEMPTS', 'SUBJECT / ERROR'],
    ...notifications.map((n) => [n.recordedAt, n.status, n.channel, n.receiver, String(n.attempts), n.error ? `${n.subject} — ${n.error}` : n.subject]),
  ]);
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerNotifierCommands(program: Command): void {
  const silence = program.command('silence').description('create, list and expire the notifier\'s silences (through a running notifier\'s HTTP API)');
  silence
    .command('add')
    .description('mute alerts whose labels match every matcher, e.g. vigil silence add -m namespace=payments -m \'pod=~ledger-.*\' -d 2h -c "ledger migration"')
    .requiredOption('-m, --matcher <matcher>', 'name=value, name!=value, name=~regex or name!~regex (repeat for more)', collect, [] as string[])
    .option('-d, --duration <duration>', 'how long, e.g. 30m, 2h, 1d', '1h')
    .option('--starts-at <time>', 'ISO 8601 start (default now)')
    .option('--ends-at <time>', 'ISO 8601 end (instead of --duration)')
    .requiredOption('-c, --comment <comment>', 'why')
    .option('-a, --author <name>', 'who (default the user name)', userInfo().username)
    .option('--url <url>', 'the notifier\'s HTTP address (default http://127.0.0.1:$VIGIL_HTTP_PORT)')
    .option('--json', 'print the silence as JSON', false)
    .action(async (options: { matcher: string[]; duration: string; startsAt?: string; endsAt?: string; comment: string; author: string; url?: string; json: boolean }) => {
      const body = {
        matchers: options.matcher,
        ...(options.startsAt ? { startsAt: options.startsAt } : {}),
        ...(options.endsAt ? { endsAt: options.endsAt } : { duration: options.duration }),
        createdBy: options.author,
        comment: options.comment,
      };
      const created = await callNotifier<SilenceJson>(options.url ?? localApiUrl(), 'POST', '/api/silences', body);
      process.stdout.write(options.json ? `${JSON.stringify(created)}\n` : `${created.id}\n`);
    });
  silence
    .command('list')
    .description('print the silences, newest first')
    .option('--status <status>', 'only pending, active or expired')
    .option('--url <url>', 'the notifier\'s HTTP address (default http://127.0.0.1:$VIGIL_HTTP_PORT)')
    .option('--json', 'print JSON', false)
    .action(async (options: { status?: string; url?: string; json: boolean }) => {
      const { silences } = await callNotifier<{ silences: SilenceJson[] }>(options.url ?? localApiUrl(), 'GET', '/api/silences');
      const shown = options.status ? silences.filter((s) => s.status === options.status) : silences;
      process.stdout.write(options.json ? `${JSON.stringify(shown)}\n` : renderSilences(shown));
    });
  silence
    .command('expire')
    .argument('<id...>', 'silence ids')
    .description('end silences now')
    .option('--url <url>', 'the notifier\'s HTTP address (default http://127.0.0.1:$VIGIL_HTTP_PORT)')
    .action(async (ids: string[], options: { url?: string }) => {
      for (const id of ids) {
        const expired = await callNotifier<SilenceJson>(options.url ?? localApiUrl(), 'DELETE', `/api/silences/${encodeURIComponent(id)}`);
        process.stdout.write(`${expired.id} ${expired.status}\n`);
      }
    });

  program
    .command('notifications')
    .description('print the alert history: what was sent, suppressed or failed, newest first')
    .option('--since <since>', 'an ISO 8601 time or a duration back from now, e.g. 1h', '24h')
    .option('--limit <n>', 'at most this many', '50')
    .option('--url <url>', 'the notifier\'s HTTP address (default http://127.0.0.1:$VIGIL_HTTP_PORT)')
    .option('--json', 'print JSON', false)
    .action(async (options: { since: string; limit: string; url?: string; json: boolean }) => {
      const query = new URLSearchParams({ since: options.since, limit: options.limit });
      const { notifications } = await callNotifier<{ notifications: (Notification & { recordedAt: string })[] }>(options.url ?? localApiUrl(), 'GET', `/api/notifications?${query}`);
      process.stdout.write(options.json ? `${JSON.stringify(notifications)}\n` : renderNotifications(notifications));
    });
}
