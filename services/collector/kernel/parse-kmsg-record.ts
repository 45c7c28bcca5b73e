import type { Problems } from '../core/problems.js';

/**
 * One kernel log record, from /dev/kmsg or from a line of dmesg text. Fields a source does not
 * carry are absent: dmesg text has no sequence number and usually no level; a line printed
 * without a timestamp has no monotonicUsec.
 */
export interface KernelRecord {
  /** Syslog severity 0 (emerg) … 7 (debug). */
  level?: number;
  /** Syslog facility: 0 is the kernel; records written to /dev/kmsg by user space have 1 (user) or more. */
  facility?: number;
  /** /dev/kmsg sequence number: increases by one per record, a gap means records were lost. */
  sequence?: number;
  /** When the record was stored, microseconds of the kernel's monotonic clock since boot. */
  monotonicUsec?: number;
  /** The text, with /dev/kmsg's \xNN escapes decoded (so it reads as dmesg prints it). */
  message: string;
  /** The printk caller, `T<pid>` (a task) or `C<cpu>` (interrupt context), when the kernel adds it. */
  caller?: string;
  /** /dev/kmsg continuation lines ` KEY=value` (SUBSYSTEM, DEVICE, …). */
  properties?: Record<string, string>;
}

const headerPattern = /^(\d+),(\d+),(\d+),([^,;]*)((?:,[^;]*)?);/;

/**
 * Parses one record read from /dev/kmsg: `prio,seq,usec,flags[,caller=…];message` then optional
 * ` KEY=value` lines (Documentation/ABI/testing/dev-kmsg). Reports and returns undefined when the
 * header is unreadable.
 */
export function parseKmsgRecord(text: string, problems: Problems): KernelRecord | undefined {
  const header = headerPattern.exec(text);
  if (!header) {
    problems.report(`kmsg record without a "prio,seq,usec,flags;" header: ${JSON.stringify(text.slice(0, 60))}`);
    return undefined;
  }
  const [whole, prioText = '', seqText = '', usecText = '', , extra = ''] = header;
  const priority = Number(prioText);
  const sequence = Number(seqText);
  const monotonicUsec = Number(usecText);
  if (![priority, sequence, monotonicUsec].every(Number.isSafeInteger)) {
    problems.report(`kmsg record with an out-of-range number in ${JSON.stringify(whole.slice(0, 60))}`);
    return undefined;
  }
  const [messageText = '', ...continuation] = text.slice(whole.length).replace(/\n$/, '').split('\n');
  const record: KernelRecord = { level: priority & 7, facility: priority >> 3, sequence, monotonicUsec, message: decodeEscapes(messageText) };
  const caller = /(?:^|,)caller=([^,]*)/.exec(extra.slice(1))?.[1];
  if (caller) record.caller = caller;
  for (const line of continuation) {
    const property = /^ ([^=]+)=(.*)$/.exec(line);
    if (!property) {
      if (line !== '') problems.report(`kmsg continuation line is not " KEY=value": ${JSON.stringify(line.slice(0, 60))}`);
      continue;
    }
    (record.properties ??= {})[property[1] ?? ''] = decodeEscapes(property[2] ?? '');
  }
  return record;
}

/** /dev/kmsg writes bytes below 0x20, above 0x7e and the backslash itself as \xNN. */
function decodeEscapes(text: string): string {
  if (!text.includes('\\x')) return text;
  const parts = text.split(/((?:\\x[0-9a-fA-F]{2})+)/);
  const bytes = parts.map((part, index) =>
    index % 2 === 1 ? Buffer.from(part.replaceAll('\\x', ''), 'hex') : Buffer.from(part, 'utf8'));
  return Buffer.concat(bytes).toString('utf8');
}
