/** Real Prometheus binaries (Debian's packages) started by tests, and what they need. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fixturePath } from '../../testing/fixtures.js';

export const nodeExporterBinary = '/usr/bin/prometheus-node-exporter';
export const prometheusBinary = '/usr/bin/prometheus';

/** Why a test of a binary is skipped (only when it is not installed), or undefined to run it. */
export function missingBinary(binary: string): string | undefined {
  return existsSync(binary) ? undefined : `SKIPPED: ${binary} is not installed (apt-get install ${binary === prometheusBinary ? 'prometheus' : 'prometheus-node-exporter'}; npm test installs it through .ci/test-tools.sh)`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs: number, log: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt().catch(() => undefined);
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${log().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface RunningBinary {
  readonly url: string;
  readonly port: number;
  /** What the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `binary` with `args` (which must make it listen on `port`) and waits until `readyPath` answers 200. */
export async function startBinary(binary: string, args: string[], port: number, readyPath: string): Promise<RunningBinary> {
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killTimer);
  };
  try {
    await waitFor(`${binary} on ${url}${readyPath}`, async () => {
      if (child.exitCode !== null) throw new Error(`${binary} exited with ${child.exitCode}:\n${output}`);
      const response = await fetch(`${url}${readyPath}`);
      return response.ok ? true : undefined;
    }, 15_000, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, output: () => output, stop };
}

/** The collectors that read only files in test/fixtures/node_exporter/proc (no sysfs needed). */
export const fixtureCollectors = ['meminfo', 'loadavg', 'stat', 'vmstat', 'pressure'];

/** node_exporter reading the fixture tree instead of this machine, on a free port. */
export async function startNodeExporterOnFixtures(): Promise<RunningBinary> {
  const port = await freePort();
  return startBinary(nodeExporterBinary, [
    `--web.listen-address=127.0.0.1:${port}`,
    `--path.procfs=${fixturePath('node_exporter', 'proc')}`,
    `--path.sysfs=${fixturePath('node_exporter', 'sys')}`,
    `--path.rootfs=${fixturePath('node_exporter')}`,
    '--collector.disable-defaults',
    ...fixtureCollectors.map((collector) => `--collector.${collector}`),
  ], port, '/metrics');
}
