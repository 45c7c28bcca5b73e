import { describe, expect, it } from 'vitest';
import { mutations } from '../testing/fuzz.js';
import { readFixture } from '../testing/fixtures.js';
import { parseProcessCgroup, processCgroupPath } from './parse-process-cgroup.js';
import { problemList } from './problems.js';

const eksContainer = '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice/cri-containerd-1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496.scope';

describe('parseProcessCgroup and processCgroupPath', () => {
  it.each([
    ['an EKS container on v1 controllers, `0::/` empty (amzn2)', 'amzn2/proc/493239', eksContainer],
    ['a docker container on v1 only', 'docker/proc/985', '/docker/b29faf21b7eff959f64b4192c34d5d67a707fe8561e9eaa608cb27693fba4242'],
    ['a docker container on v2 only, no trailing newline', 'docker/proc/312', '/system.slice/docker-1c8fa019edd4b9d4b2856f4932c55929c5c118c808ed5faee9a135ca6e84b039.scope'],
    ['a v2 session seen from another cgroup namespace', 'docker2/proc/2233801', '/../../user-1000.slice/session-520.scope'],
    ['a hybrid host (Ubuntu 18.04)', 'ubuntu1804/proc/3757', '/system.slice/networkd-dispatcher.service'],
  ])('%s', (_name, directory, expected) => {
    const problems = problemList();
    expect(processCgroupPath(parseProcessCgroup(readFixture('cgroup', 'elastic', ...directory.split('/'), 'cgroup'), problems))).toBe(expected);
    expect(problems.list).toEqual([]);
  });

  it('splits controllers and keeps colons inside the path', () => {
    expect(parseProcessCgroup('5:cpu,cpuacct:/a:b\n0::/c\n', problemList())).toEqual([
      { hierarchyId: 5, controllers: ['cpu', 'cpuacct'], path: '/a:b' },
      { hierarchyId: 0, controllers: [], path: '/c' },
    ]);
  });

  it('falls back to the first line when there is neither a memory nor a v2 line', () => {
    expect(processCgroupPath(parseProcessCgroup('3:pids:/p\n1:name=systemd:/s\n', problemList()))).toBe('/p');
    expect(processCgroupPath([])).toBeUndefined();
  });

  it.each([['no path', '4:memory\n'], ['a hierarchy id that is not a number', 'x:memory:/a\n'], ['a relative path', '0::a\n']])(
    'skips and reports a line with %s',
    (_name, text) => {
      const problems = problemList();
      expect(parseProcessCgroup(text, problems)).toEqual([]);
      expect(problems.list).toHaveLength(1);
    },
  );

  it('never throws on damaged input: one-line problems, paths that start with /', () => {
    let reported = 0;
    for (const damaged of mutations(readFixture('cgroup', 'elastic', 'amzn2', 'proc', '493239', 'cgroup'), 15, 400)) {
      const problems = problemList();
      const memberships = parseProcessCgroup(damaged, problems);
      expect(memberships.every((m) => m.path.startsWith('/') && Number.isFinite(m.hierarchyId))).toBe(true);
      expect(problems.list.every((problem) => !problem.includes('\n'))).toBe(true);
      reported += problems.list.length;
    }
    expect(reported).toBeGreaterThan(30);
  });
});
