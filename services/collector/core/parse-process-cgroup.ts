import { integerOrReport } from './parse-process-number.js';
import type { Problems } from './problems.js';

/** One line of /proc/<pid>/cgroup: `4:memory:/kubepods/...` (v1) or `0::/system.slice/...` (v2). */
export interface CgroupMembership {
  hierarchyId: number;
  /** v1 controllers of the hierarchy (`cpu,cpuacct` → cpu, cpuacct; `name=systemd`); empty for v2. */
  controllers: string[];
  /** Path relative to the hierarchy's root, as the kernel shows it; may itself contain ':'. */
  path: string;
}

/** Parses /proc/<pid>/cgroup; a line that is not `<id>:<controllers>:<path>` is reported and skipped. */
export function parseProcessCgroup(text: string, problems: Problems): CgroupMembership[] {
  const memberships: CgroupMembership[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0 || line[second + 1] !== '/') {
      problems.report(`process cgroup: expected "<id>:<controllers>:/<path>", got ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const hierarchyId = integerOrReport(line.slice(0, first), 'process cgroup hierarchy id', problems);
    if (hierarchyId === undefined) continue;
    const controllers = line.slice(first + 1, second);
    memberships.push({ hierarchyId, controllers: controllers === '' ? [] : controllers.split(','), path: line.slice(second + 1) });
  }
  return memberships;
}

/**
 * The one cgroup that names a process's container: the v1 memory hierarchy's when there is one (v1,
 * and hybrid hosts where containers are placed by the v1 controllers and `0::` may be `/`), else the
 * v2 (`0::`) line, else the first line.
 */
export function processCgroupPath(memberships: readonly CgroupMembership[]): string | undefined {
  return (memberships.find((m) => m.controllers.includes('memory'))
    ?? memberships.find((m) => m.hierarchyId === 0 && m.controllers.length === 0)
    ?? memberships[0])?.path;
}
