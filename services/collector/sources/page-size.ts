import { open } from 'node:fs/promises';

/**
 * The kernel page size, from the first mapping of this process in /proc/self/smaps (KernelPageSize).
 * It is read from this machine's /proc, not the host root: the page size belongs to the running
 * kernel, and a host mount's `self` may not resolve. 4096 when it cannot be read.
 */
export async function detectPageSizeBytes(): Promise<number> {
  try {
    const file = await open('/proc/self/smaps', 'r');
    try {
      const buffer = Buffer.alloc(8192);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      const match = /^KernelPageSize:\s+(\d+) kB$/m.exec(buffer.toString('utf8', 0, bytesRead));
      return match?.[1] ? Number(match[1]) * 1024 : 4096;
    } finally {
      await file.close();
    }
  } catch {
    return 4096;
  }
}
