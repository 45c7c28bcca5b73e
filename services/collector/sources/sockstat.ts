import type { Sample } from '../../../src/codec/records.generated.js';
import { parseSockstat } from '../core/parse-sockstat.js';
import type { Source } from '../source.js';
import { detectPageSizeBytes } from './page-size.js';

export interface SockstatSourceOptions {
  /** Unit of the `mem` fields; detected from this machine when absent. */
  pageSizeBytes?: number;
}

/** proc.sockstat: proc/net/sockstat, plus proc/net/sockstat6 where IPv6 is on. */
export function sockstatSource(options: SockstatSourceOptions = {}): Source {
  let pageSizeBytes: Promise<number> | undefined = options.pageSizeBytes === undefined ? undefined : Promise.resolve(options.pageSizeBytes);
  return {
    name: 'proc.sockstat',
    async collect({ files, problems }) {
      const [sockstat, sockstat6] = [files.readTextSync('proc/net/sockstat', problems), files.readTextSync('proc/net/sockstat6', problems)];
      if (sockstat === undefined && sockstat6 === undefined) return [];
      pageSizeBytes ??= detectPageSizeBytes();
      const pageSize = await pageSizeBytes;
      const samples: Sample[] = [];
      if (sockstat !== undefined) samples.push(...parseSockstat(sockstat, problems, pageSize, 'net/sockstat'));
      if (sockstat6 !== undefined) samples.push(...parseSockstat(sockstat6, problems, pageSize, 'net/sockstat6'));
      return [{ source: 'proc.sockstat', samples }];
    },
  };
}
