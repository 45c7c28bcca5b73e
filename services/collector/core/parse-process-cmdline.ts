import type { Problems } from './problems.js';

/** Default length of a command line in a label: enough to tell `java -jar a.jar` from `java -jar b.jar`, small in a batch. */
export const cmdlineLabelChars = 200;

/**
 * /proc/<pid>/cmdline (arguments separated and ended by NUL) → the arguments separated by spaces,
 * cut to maxChars with a trailing `…` when longer. Empty for a kernel thread or a zombie. A process
 * may rewrite its own command line (setproctitle pads it with NULs), so it is a hint, not an identity;
 * nothing in it can be malformed, so nothing is reported.
 */
export function parseProcessCmdline(text: string, _problems: Problems, maxChars = cmdlineLabelChars): string {
  const cmdline = text.replace(/\0+$/, '').replace(/\0/g, ' ');
  if (cmdline.length <= maxChars) return cmdline;
  let end = Math.max(0, maxChars - 1);
  const last = cmdline.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // never split a surrogate pair
  return `${cmdline.slice(0, end)}…`;
}
