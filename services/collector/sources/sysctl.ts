import { diagnosisSysctls, parseSysctl, sysctlPath } from '../core/parse-sysctl.js';
import type { Source } from '../source.js';

/**
 * proc.sysctl: the settings in `names` (default: diagnosisSysctls) as node_sysctl_<name>, from
 * proc/sys/...; a sysctl this kernel does not have (no nf_conntrack module) is skipped silently.
 */
export function sysctlSource(names: readonly string[] = diagnosisSysctls): Source {
  return {
    name: 'proc.sysctl',
    async collect({ files, problems }) {
      const texts = names.map((name) => files.readTextSync(sysctlPath(name), problems));
      const samples = names.flatMap((name, index) => {
        const text = texts[index];
        return text === undefined ? [] : parseSysctl(name, text, problems);
      });
      return texts.every((text) => text === undefined) ? [] : [{ source: 'proc.sysctl', samples }];
    },
  };
}
