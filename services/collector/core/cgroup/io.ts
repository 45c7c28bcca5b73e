import type { Problems } from '../problems.js';
import { integerValue } from './values.js';

/** Bytes read and written per device (`MAJ:MIN`), since the cgroup was created. */
export type CgroupIo = Map<string, { readBytes?: number; writeBytes?: number }>;

const devicePattern = /^\d+:\d+$/;

/**
 * v2 io.stat: `MAJ:MIN rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…` per device. Older kernels
 * printed a device without stats as its name and no newline, so one line can start with several
 * devices (`7:7 7:6 7:5 7:4 rbytes=…`): the stats belong to the last one, the others had none. A
 * line whose last device is glued to the one before (`7:08:0`) cannot be split reliably and is
 * skipped and reported.
 */
export function parseIoStat(text: string, problems: Problems): CgroupIo {
  const io: CgroupIo = new Map();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '') continue;
    const firstStat = fields.findIndex((field) => field.includes('='));
    if (firstStat === -1) {
      if (!fields.every((field) => devicePattern.test(field))) problems.report(`io.stat: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      continue; // devices without stats
    }
    const device = fields[firstStat - 1];
    if (device === undefined || !devicePattern.test(device)) {
      problems.report(`io.stat: no device before the stats in ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const entry: { readBytes?: number; writeBytes?: number } = {};
    for (const field of fields.slice(firstStat)) {
      const [key, valueText = '', extra] = field.split('=');
      const value = integerValue(valueText);
      if (value === undefined || extra !== undefined) {
        problems.report(`io.stat: unexpected field ${JSON.stringify(field.slice(0, 40))} for ${device}`);
        continue;
      }
      if (key === 'rbytes') entry.readBytes = value;
      else if (key === 'wbytes') entry.writeBytes = value;
    }
    io.set(device, entry);
  }
  return io;
}

/**
 * v1 blkio.throttle.io_service_bytes(_recursive): `MAJ:MIN Read|Write|Sync|Async|Discard|Total N`
 * lines and a final `Total N`. Counted by the throttling layer, so it works whatever the I/O
 * scheduler (the CFQ/BFQ-only blkio.io_service_bytes is absent under blk-mq without BFQ).
 */
export function parseBlkioServiceBytes(text: string, problems: Problems): CgroupIo {
  const io: CgroupIo = new Map();
  // Lines as the kernel prints them (`259:0 Read 3448832`) are read in place; any other line (blank
  // padding, garbage) takes the general path, which decides exactly as before.
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (lineEnd > lineStart && !blkioLineInPlace(text, lineStart, lineEnd, io)) blkioLine(text.slice(lineStart, lineEnd), io, problems);
    lineStart = lineEnd + 1;
  }
  return io;
}

/** One line of blkio.throttle.io_service_bytes in the kernel's own format, or false to leave it to blkioLine. */
function blkioLineInPlace(text: string, start: number, end: number, io: CgroupIo): boolean {
  const deviceEnd = text.indexOf(' ', start);
  if (deviceEnd < 0 || deviceEnd >= end) return false;
  const operationEnd = text.indexOf(' ', deviceEnd + 1);
  if (operationEnd < 0 || operationEnd >= end) return false;
  if (!isDeviceAt(text, start, deviceEnd)) return false;
  const value = integerAt(text, operationEnd + 1, end);
  if (value === undefined || value < 0) return false;
  const operationLength = operationEnd - deviceEnd - 1;
  const read = operationLength === 4 && text.startsWith('Read', deviceEnd + 1);
  const write = operationLength === 5 && text.startsWith('Write', deviceEnd + 1);
  if (!read && !write) return isLettersAt(text, deviceEnd + 1, operationEnd);
  const device = text.slice(start, deviceEnd);
  const entry = io.get(device) ?? {};
  if (read) entry.readBytes = value;
  else entry.writeBytes = value;
  io.set(device, entry);
  return true;
}

/** `MAJ:MIN` at text[start, end). */
function isDeviceAt(text: string, start: number, end: number): boolean {
  const colon = text.indexOf(':', start);
  if (colon <= start || colon >= end - 1) return false;
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at);
    if (at !== colon && (code < 48 || code > 57)) return false;
  }
  return true;
}

function isLettersAt(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at);
    if (!((code >= 65 && code <= 90) || (code >= 97 && code <= 122))) return false;
  }
  return true;
}

/** Digits only, at most 15 (exact in a double), or undefined. */
function integerAt(text: string, start: number, end: number): number | undefined {
  if (end <= start || end - start > 15) return undefined;
  let value = 0;
  for (let at = start; at < end; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

/** One line of blkio.throttle.io_service_bytes, any spacing; a line that is not `MAJ:MIN Op N` or `Total N` is reported. */
function blkioLine(line: string, io: CgroupIo, problems: Problems): void {
  const fields = line.trim().split(/\s+/);
  if (fields[0] === '' || (fields[0] === 'Total' && fields.length === 2)) return;
  const [device = '', operation = '', valueText = ''] = fields;
  const value = integerValue(valueText);
  if (fields.length !== 3 || !devicePattern.test(device) || value === undefined) {
    problems.report(`blkio.throttle.io_service_bytes: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    return;
  }
  if (operation !== 'Read' && operation !== 'Write') return;
  const entry = io.get(device) ?? {};
  if (operation === 'Read') entry.readBytes = value;
  else entry.writeBytes = value;
  io.set(device, entry);
}
