import { describe, expect, it } from 'vitest';
import { mutations } from '../../testing/fuzz.js';
import { readFixture } from '../../testing/fixtures.js';
import { problemList } from '../problems.js';
import { parseCfsQuota, parseCpuacctUsage, parseCpuMax, parseCpuStat } from './cpu.js';
import { parseBlkioServiceBytes, parseIoStat } from './io.js';
import { parseCount, parseMemoryEventsV2, parseMemoryLimitV1, parseMemoryMaxV2, parseMemoryStatV1, parseMemoryStatV2, parseOomControlV1 } from './memory.js';
import { parsePidsEventsMax, parsePidsMax } from './pids.js';
import { parseCgroupPressure } from './pressure.js';

const v2 = (file: string): string => readFixture('cgroup', 'telegraf', 'testdata', 'v2', file);
const oom = (file: string): string => readFixture('cgroup', 'kernel', 'captured', 'oom', 'cgroup-after', file);
const docker = 'b29faf21b7eff959f64b4192c34d5d67a707fe8561e9eaa608cb27693fba4242';

/** Every number a parser returns, however deeply nested. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (value instanceof Map) return [...value.values()].flatMap(numbersIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

const cases: [string, string, (text: string) => unknown][] = [
  ['memory.stat v2', v2('memory.stat'), (text) => parseMemoryStatV2(text, problemList())],
  ['memory.stat v1', oom('memory.stat'), (text) => parseMemoryStatV1(text, problemList())],
  ['memory.events', v2('memory.events'), (text) => parseMemoryEventsV2(text, problemList())],
  ['memory.current', v2('memory.current'), (text) => parseCount(text, 'memory.current', problemList())],
  ['memory.max', v2('memory.max'), (text) => parseMemoryMaxV2(text, problemList())],
  ['memory.limit_in_bytes', oom('memory.limit_in_bytes'), (text) => parseMemoryLimitV1(text, problemList())],
  ['memory.oom_control', oom('memory.oom_control'), (text) => parseOomControlV1(text, problemList())],
  ['cpu.stat', v2('cpu.stat'), (text) => parseCpuStat(text, problemList())],
  ['cpu.max', v2('cpu.max'), (text) => parseCpuMax(text, problemList())],
  ['cpu.cfs_quota_us', '20000\n', (text) => parseCfsQuota(text, '100000\n', problemList())],
  ['cpuacct.usage', '95996653175\n', (text) => parseCpuacctUsage(text, problemList())],
  ['io.stat', readFixture('cgroup', 'elastic', 'io_statfiles', 'ubuntu', 'io.stat'), (text) => parseIoStat(text, problemList())],
  ['blkio.throttle.io_service_bytes', readFixture('cgroup', 'elastic', 'docker', 'sys', 'fs', 'cgroup', 'blkio', 'docker', docker, 'blkio.throttle.io_service_bytes'),
    (text) => parseBlkioServiceBytes(text, problemList())],
  ['pids.max', v2('pids.max'), (text) => parsePidsMax(text, problemList())],
  ['pids.events', v2('pids.events'), (text) => parsePidsEventsMax(text, problemList())],
  ['cpu.pressure', v2('cpu.pressure'), (text) => parseCgroupPressure(text, 'cpu.pressure', problemList())],
];

describe('cgroup parsers on damaged files (seeded truncations, flips, deletions, garbage)', () => {
  it.each(cases)('%s: 300 mutations never throw and yield only finite numbers', (_name, text, parse) => {
    let index = 0;
    for (const mutated of mutations(text, 20241124, 300)) {
      const numbers = (() => {
        try {
          return numbersIn(parse(mutated));
        } catch (error) {
          throw new Error(`mutation ${index} threw: ${String(error)}\n${JSON.stringify(mutated)}`);
        }
      })();
      expect(numbers.filter((n) => !Number.isFinite(n)), `mutation ${index}`).toEqual([]);
      index++;
    }
  });
});
