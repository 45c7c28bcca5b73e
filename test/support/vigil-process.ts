/** Runs the real `vigil` command as a child process and watches its output, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const vigilBin = fileURLToPath(new URL('../../bin/vigil.js', import.meta.url));

export interface VigilProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the first stdout or stderr line matching, rejects after `timeoutMs` or on exit. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number, stream?: 'stdout' | 'stderr'): Promise<string>;
  /** Resolves with the exit code (or the signal name). */
  exited(): Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/** `nodeArgs` go to node before the script, e.g. ['--cpu-prof']. */
export function spawnVigil(args: string[], env: Record<string, string> = {}, options: { nodeArgs?: string[] } = {}): VigilProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), vigilBin, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters = new Set<{ stream: 'stdout' | 'stderr'; match: (line: string) => boolean; resolve: (line: string) => void }>();
  const exit = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);

  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream]!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        lines[stream].push(line);
        for (const waiter of waiters) {
          if (waiter.stream === stream && waiter.match(line)) {
            waiters.delete(waiter);
            waiter.resolve(line);
          }
        }
      }
    });
  }

  return {
    child,
    stdout: lines.stdout,
    stderr: lines.stderr,
    waitForLine(match, timeoutMs, stream = 'stdout') {
      const already = lines[stream].find(match);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = { stream, match, resolve: (line: string) => { clearTimeout(timer); resolve(line); } };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching ${stream} line within ${timeoutMs} ms; last lines:\n${lines[stream].slice(-15).join('\n')}\nstderr:\n${lines.stderr.slice(-10).join('\n')}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exit.then((code) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`vigil ${args.join(' ')} exited (${code}) before a matching ${stream} line; stderr:\n${lines.stderr.slice(-15).join('\n')}`));
        });
      });
    },
    exited: () => exit,
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}
