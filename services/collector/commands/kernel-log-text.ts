import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { parseKmsgRecord } from '../kernel/parse-kmsg-record.js';

/**
 * The kernel's ring buffer as dmesg text (`[  584.319520] message`, one line per record), read
 * from /dev/kmsg without blocking; `vigil capture` saves it as DIR/dmesg.txt, which the kernel-log
 * source reads back in file mode. A reason instead when the log cannot be read (EPERM under
 * kernel.dmesg_restrict for non-root, no /dev/kmsg in a container).
 */
export async function readKernelLogText(path = '/dev/kmsg'): Promise<string | { missing: string }> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { missing: `cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const lines: string[] = [];
  const buffer = Buffer.alloc(16 * 1024); // a read shorter than a record fails with EINVAL
  const ignored = { report: () => undefined };
  try {
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        if (code === 'EPIPE') continue; // overwritten while reading: go on from the oldest left
        return { missing: `cannot read ${path}: ${code ?? (error as Error).message}` };
      }
      if (bytesRead === 0) break;
      const record = parseKmsgRecord(buffer.toString('utf8', 0, bytesRead), ignored);
      if (!record) continue;
      const usec = record.monotonicUsec ?? 0;
      const stamp = `${String(Math.floor(usec / 1e6)).padStart(5)}.${String(usec % 1e6).padStart(6, '0')}`;
      lines.push(`[${stamp}] ${record.message}`);
    }
  } finally {
    await handle.close();
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
