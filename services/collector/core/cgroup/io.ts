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
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '' || (fields[0] === 'Total' && fields.length === 2)) continue;
    const [device = '', operation = '', valueText = ''] = fields;
    const value = integerValue(valueText);
    if (fields.length !== 3 || !devicePattern.test(device) || value === undefined) {
      problems.report(`blkio.throttle.io_service_bytes: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    if (operation !== 'Read' && operation !== 'Write') continue;
    const entry = io.get(device) ?? {};
    if (operation === 'Read') entry.readBytes = value;
    else entry.writeBytes = value;
    io.set(device, entry);
  }
  return io;
}
