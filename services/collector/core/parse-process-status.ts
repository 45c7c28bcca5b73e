import { integerOrReport } from './parse-process-number.js';
import type { Problems } from './problems.js';

/** The memory fields of /proc/<pid>/status, in bytes; a field the file lacks (a kernel thread, a zombie) is absent. */
export interface ProcessStatus {
  /** VmRSS = RssAnon + RssFile + RssShmem. */
  residentBytes?: number;
  /** RssAnon: heap, stacks, private mappings; what the memory cgroup cannot reclaim without swap. */
  residentAnonBytes?: number;
  /** RssFile: mapped files (binaries, libraries, mmapped data); reclaimable, re-read on demand. */
  residentFileBytes?: number;
  /** RssShmem: shared memory, tmpfs and shared anonymous mappings. */
  residentShmemBytes?: number;
}

const fields: ReadonlyArray<readonly [string, keyof ProcessStatus]> = [
  ['VmRSS', 'residentBytes'],
  ['RssAnon', 'residentAnonBytes'],
  ['RssFile', 'residentFileBytes'],
  ['RssShmem', 'residentShmemBytes'],
];

/**
 * Parses the `Key:\tvalue` lines of /proc/<pid>/status it needs (`VmRSS:\t    6716 kB` → 6877184).
 * Other keys are ignored; a needed key with an unreadable value is reported and left out.
 */
export function parseProcessStatus(text: string, problems: Problems): ProcessStatus {
  const status: ProcessStatus = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) {
      if (line.trim() !== '') problems.report(`process status: no "key:" in ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const key = line.slice(0, colon);
    const field = fields.find(([name]) => name === key)?.[1];
    if (field === undefined) continue;
    const [amount, unit, ...extra] = line.slice(colon + 1).trim().split(/\s+/);
    if (unit !== 'kB' || extra.length > 0) {
      problems.report(`process status ${key}: expected "<number> kB", got ${JSON.stringify(line.slice(colon + 1, colon + 60).trim())}`);
      continue;
    }
    const kilobytes = integerOrReport(amount, `process status ${key}`, problems);
    if (kilobytes !== undefined) status[field] = kilobytes * 1024;
  }
  return status;
}
