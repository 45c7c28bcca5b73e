import { integerOrReport } from './parse-process-number.js';
import type { Problems } from './problems.js';

/** Storage I/O of a process from /proc/<pid>/io, all threads (live and exited) together. */
export interface ProcessIo {
  /** read_bytes: bytes this process caused to be fetched from storage (page-cache hits are not counted). */
  readBytes: number;
  /** write_bytes: bytes this process caused to be sent to storage, counted when the page is dirtied. */
  writeBytes: number;
}

/**
 * Parses /proc/<pid>/io (`read_bytes: 1024`). Both fields are needed: a file without one of them, or
 * with one unreadable, is reported and yields undefined. rchar/wchar (any read()/write(), page cache
 * and pipes included) are not storage I/O and are ignored, as are syscall counts and cancelled_write_bytes.
 */
export function parseProcessIo(text: string, problems: Problems): ProcessIo | undefined {
  const values: Partial<Record<'read_bytes' | 'write_bytes', string>> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    if (colon > 0 && (key === 'read_bytes' || key === 'write_bytes')) values[key] = line.slice(colon + 1).trim();
  }
  const missing = (['read_bytes', 'write_bytes'] as const).filter((key) => values[key] === undefined);
  if (missing.length > 0) {
    problems.report(`process io: no ${missing.join(', ')} in ${JSON.stringify(text.slice(0, 80))}`);
    return undefined;
  }
  const readBytes = integerOrReport(values.read_bytes, 'process io read_bytes', problems);
  const writeBytes = integerOrReport(values.write_bytes, 'process io write_bytes', problems);
  return readBytes === undefined || writeBytes === undefined ? undefined : { readBytes, writeBytes };
}
