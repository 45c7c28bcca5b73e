import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from '../core/problems.js';
import type { Source } from '../source.js';

/** A source that is one host file parsed whole (proc/meminfo → proc.meminfo); absent file → no batch. */
export function singleFileSource(name: string, hostPath: string, parse: (text: string, problems: Problems) => Sample[]): Source {
  return {
    name,
    async collect({ files, problems }) {
      const text = files.readTextSync(hostPath, problems);
      if (text === undefined) return [];
      return [{ source: name, samples: parse(text, problems) }];
    },
  };
}
