import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from './problems.js';
import { sample } from './samples.js';

/**
 * node_exporter's default `--collector.diskstats.device-exclude`: partitions (their I/O is also
 * counted on the whole disk) and ram, zram, loop and floppy devices.
 */
export const defaultDiskExclude = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/;

/** Sectors in /proc/diskstats are always 512 bytes, whatever the device's sector size. */
const sectorBytes = 512;
/** Times in /proc/diskstats are milliseconds; multiplied (not divided) as node_exporter does, so values are bit-identical. */
const secondsPerMillisecond = 0.001;

/** The statistics after the device name, in kernel order (Documentation/admin-guide/iostats.rst), with their scale. */
const fields: ReadonlyArray<readonly [name: string, scale: number]> = [
  ['node_disk_reads_completed_total', 1],
  ['node_disk_reads_merged_total', 1],
  ['node_disk_read_bytes_total', sectorBytes],
  ['node_disk_read_time_seconds_total', secondsPerMillisecond],
  ['node_disk_writes_completed_total', 1],
  ['node_disk_writes_merged_total', 1],
  ['node_disk_written_bytes_total', sectorBytes],
  ['node_disk_write_time_seconds_total', secondsPerMillisecond],
  ['node_disk_io_now', 1],
  ['node_disk_io_time_seconds_total', secondsPerMillisecond],
  ['node_disk_io_time_weighted_seconds_total', secondsPerMillisecond],
  // Linux 4.18+
  ['node_disk_discards_completed_total', 1],
  ['node_disk_discards_merged_total', 1],
  ['node_disk_discarded_sectors_total', 1],
  ['node_disk_discard_time_seconds_total', secondsPerMillisecond],
  // Linux 5.5+
  ['node_disk_flush_requests_total', 1],
  ['node_disk_flush_requests_time_seconds_total', secondsPerMillisecond],
];
const requiredFields = 11;

/**
 * /proc/diskstats → node_exporter's node_disk_* families, labelled {device}: sectors as bytes,
 * milliseconds as seconds (discarded sectors stay sectors, as node_exporter names them). The
 * discard and flush families appear only for lines that carry them (newer kernels). Devices whose
 * name matches `exclude` (node_exporter's default: partitions, ram, loop) are left out.
 */
export function parseDiskstats(text: string, problems: Problems, exclude: RegExp = defaultDiskExclude): Sample[] {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const [, , device, ...values] = line.trim().split(/\s+/);
    if (device === undefined) {
      if (line.trim() !== '') problems.report(`diskstats: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    if (exclude.test(device)) continue;
    if (values.length < requiredFields) {
      problems.report(`diskstats ${device}: expected ${requiredFields} or more numbers, got ${values.length}`);
      continue;
    }
    if (seen.has(device)) {
      problems.report(`diskstats ${device}: duplicate device`);
      continue;
    }
    seen.add(device);
    const labels = { device };
    let bad: string | undefined;
    fields.forEach(([name, scale], index) => {
      const valueText = values[index];
      if (valueText === undefined) return;
      const value = integer(valueText);
      if (value === undefined) bad ??= `diskstats ${device} field ${index + 1}: expected an integer, got ${JSON.stringify(valueText.slice(0, 40))}`;
      else samples.push(sample(name, scale === 1 ? value : value * scale, labels));
    });
    if (bad) problems.report(bad);
  }
  return samples;
}

/** A decimal integer as the kernel prints it (at most a u64), or undefined. */
function integer(text: string): number | undefined {
  return /^-?\d{1,20}$/.test(text) ? Number(text) : undefined;
}
