import type { KernelRecord } from './parse-kmsg-record.js';

// `<4>` (dmesg -r), `[  584.319520]`, `[  584.319520][   T31]` (printk caller), then one space.
const linePattern = /^(?:<(\d{1,4})>)?\[\s*(\d{1,12})\.(\d{1,9})\](?:\[\s*([TC]\d+)\])? ?/;

/**
 * dmesg text → one record per non-empty line. `[seconds.micros]` becomes monotonicUsec; a line
 * without a timestamp (cAdvisor's stripped logs, syzkaller's second copy, `dmesg -t`) is kept
 * whole as the message. dmesg text has no sequence numbers. Never fails: every line is a record.
 */
export function parseDmesg(text: string): KernelRecord[] {
  const records: KernelRecord[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') continue;
    const prefix = linePattern.exec(line);
    if (!prefix) {
      records.push({ message: line });
      continue;
    }
    const [whole, priorityText, secondsText = '0', fractionText = '0', caller] = prefix;
    const record: KernelRecord = {
      monotonicUsec: Number(secondsText) * 1_000_000 + Number(fractionText.padEnd(6, '0').slice(0, 6)),
      message: line.slice(whole.length),
    };
    if (priorityText !== undefined) {
      record.level = Number(priorityText) & 7;
      record.facility = Number(priorityText) >> 3;
    }
    if (caller !== undefined) record.caller = caller;
    records.push(record);
  }
  return records;
}
