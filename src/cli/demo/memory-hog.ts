/** `vigil demo memory-hog`: a child process that grows its memory steadily, for trying the pipeline. */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export interface MemoryHogOptions {
  rateMiBps: number;
  capMiB: number;
  seconds: number;
}

/** Never more than a quarter of what the machine has available now. */
export function safeCapMiB(requestedMiB: number, availableBytes = os.freemem()): number {
  return Math.max(1, Math.min(requestedMiB, Math.floor(availableBytes / 4 / 1024 / 1024)));
}

export function spawnMemoryHog(options: MemoryHogOptions): ChildProcess {
  const childScript = fileURLToPath(new URL('./memory-hog.child.ts', import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', childScript, String(options.rateMiBps), String(options.capMiB), String(options.seconds)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
  });
}
