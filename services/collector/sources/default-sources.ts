import { parseLoadavg } from '../core/parse-loadavg.js';
import { parseMeminfo } from '../core/parse-meminfo.js';
import { defaultClockTicksPerSecond, parseStat } from '../core/parse-stat.js';
import { parseVmstat } from '../core/parse-vmstat.js';
import { parseDiskstats } from '../core/parse-diskstats.js';
import { parseNetdev } from '../core/parse-netdev.js';
import { parseSchedstat } from '../core/parse-schedstat.js';
import type { Source } from '../source.js';
import { pressureSource } from './pressure.js';
import { processSource } from './processes.js';
import { singleFileSource } from './single-file.js';
import { filesSource } from './files.js';
import { netstatSource } from './netstat.js';
import { sockstatSource } from './sockstat.js';
import { sysctlSource } from './sysctl.js';
import { cgroupSource } from './cgroups.js';
import type { CgroupAttribution } from '../attribution.js';

export interface DefaultSourceOptions {
  /** How many processes by each resource go into proc.processes. */
  topProcesses: number;
  pageSizeBytes?: number;
  clockTicksPerSecond?: number;
  /** Published cgroups per cycle at most (default 1,000; the largest by memory when more qualify). */
  maxCgroups?: number;
  /** Pod and container labels of a cgroup path (services/collector/kubernetes/). */
  cgroupAttribution?: CgroupAttribution;
}

/** Every source the collector reads from the host's /proc and /sys, in publishing order. */
export function defaultSources(options: DefaultSourceOptions): Source[] {
  const clockTicksPerSecond = options.clockTicksPerSecond ?? defaultClockTicksPerSecond;
  return [
    singleFileSource('proc.stat', 'proc/stat', (text, problems) => parseStat(text, problems, clockTicksPerSecond)),
    singleFileSource('proc.loadavg', 'proc/loadavg', parseLoadavg),
    singleFileSource('proc.meminfo', 'proc/meminfo', parseMeminfo),
    singleFileSource('proc.vmstat', 'proc/vmstat', parseVmstat),
    singleFileSource('proc.diskstats', 'proc/diskstats', parseDiskstats),
    singleFileSource('proc.netdev', 'proc/net/dev', parseNetdev),
    netstatSource,
    sockstatSource({ pageSizeBytes: options.pageSizeBytes }),
    singleFileSource('proc.schedstat', 'proc/schedstat', parseSchedstat),
    filesSource,
    sysctlSource(),
    pressureSource,
    cgroupSource({ maxCgroups: options.maxCgroups, attribute: options.cgroupAttribution }),
    processSource({ ...options, attribute: options.cgroupAttribution }),
  ];
}
