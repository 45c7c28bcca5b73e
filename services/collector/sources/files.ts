import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from '../core/problems.js';
import { parseFileNr, parseLoadavgThreads, parseSingleValue } from '../core/parse-files.js';
import type { Source } from '../source.js';

/** One-integer files of proc.files and the metric each becomes (node_exporter's names). */
const singleValues: ReadonlyArray<readonly [path: string, name: string]> = [
  ['proc/sys/kernel/pid_max', 'node_processes_max_processes'],
  ['proc/sys/kernel/threads-max', 'node_processes_max_threads'],
  ['proc/sys/net/netfilter/nf_conntrack_count', 'node_nf_conntrack_entries'],
  ['proc/sys/net/netfilter/nf_conntrack_max', 'node_nf_conntrack_entries_limit'],
];

/**
 * proc.files: the kernel tables that run out: file handles (proc/sys/fs/file-nr), threads
 * (proc/loadavg's runnable/total, kernel.pid_max, kernel.threads-max) and conntrack entries where
 * nf_conntrack is loaded. Each file is optional; the source is absent when none can be read.
 */
export const filesSource: Source = {
  name: 'proc.files',
  async collect({ files, problems }) {
    const parsers: ReadonlyArray<readonly [path: string, parse: (text: string, problems: Problems) => Sample[]]> = [
      ['proc/sys/fs/file-nr', parseFileNr],
      ['proc/loadavg', parseLoadavgThreads],
      ...singleValues.map(([path, name]) => [path, (text: string, reported: Problems) => parseSingleValue(name, text, reported, path.slice('proc/'.length))] as const),
    ];
    const texts = parsers.map(([path]) => files.readTextSync(path, problems));
    if (texts.every((text) => text === undefined)) return [];
    const samples = parsers.flatMap(([, parse], index) => {
      const text = texts[index];
      return text === undefined ? [] : parse(text, problems);
    });
    return [{ source: 'proc.files', samples }];
  },
};
