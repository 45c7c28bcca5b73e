import { readdirSync, readlinkSync } from 'node:fs';

/** What this process has open below a directory (the targets of /proc/self/fd): files a test expects closed. */
export function openFilesUnder(directory: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(`${directory}/`) ? [target] : [];
    } catch {
      return []; // closed while listing (the listing's own descriptor)
    }
  });
}
