import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from './problems.js';
import { sample } from './samples.js';

const integer = (text: string | undefined): number | undefined => (text !== undefined && /^-?\d{1,20}$/.test(text) ? Number(text) : undefined);

/**
 * /proc/sys/fs/file-nr (`allocated  unused(always 0 since 2.6)  maximum`) → node_filefd_allocated,
 * node_filefd_maximum, node_exporter's names.
 */
export function parseFileNr(text: string, problems: Problems): Sample[] {
  const fields = text.trim().split(/\s+/);
  const allocated = integer(fields[0]);
  const maximum = integer(fields[2]);
  if (fields.length !== 3 || allocated === undefined || maximum === undefined) {
    problems.report(`sys/fs/file-nr: expected three integers, got ${JSON.stringify(text.trim().slice(0, 80))}`);
  }
  const samples: Sample[] = [];
  if (allocated !== undefined) samples.push(sample('node_filefd_allocated', allocated));
  if (maximum !== undefined) samples.push(sample('node_filefd_maximum', maximum));
  return samples;
}

/**
 * The 4th field of /proc/loadavg (`1/719`): runnable threads / all threads of the system →
 * node_procs_threads_runnable, node_procs_threads. Our names: node_exporter's node_processes_threads
 * counts the same threads by reading every /proc/<pid>/stat; the kernel's own count is one read.
 */
export function parseLoadavgThreads(text: string, problems: Problems): Sample[] {
  const field = text.trim().split(/\s+/)[3];
  const [runnableText, totalText, ...rest] = (field ?? '').split('/');
  const runnable = integer(runnableText);
  const total = integer(totalText);
  if (runnable === undefined || total === undefined || rest.length > 0) {
    problems.report(`loadavg threads: expected runnable/total, got ${JSON.stringify(field?.slice(0, 40))}`);
    return [];
  }
  return [sample('node_procs_threads_runnable', runnable), sample('node_procs_threads', total)];
}

/**
 * A file holding one integer (proc/sys/kernel/pid_max, .../nf_conntrack_count) → one sample named
 * `name`; `file` names it in a problem.
 */
export function parseSingleValue(name: string, text: string, problems: Problems, file: string): Sample[] {
  const fields = text.trim().split(/\s+/);
  const value = integer(fields[0]);
  if (fields.length !== 1 || value === undefined) {
    problems.report(`${file}: expected one integer, got ${JSON.stringify(text.trim().slice(0, 40))}`);
    return [];
  }
  return [sample(name, value)];
}
