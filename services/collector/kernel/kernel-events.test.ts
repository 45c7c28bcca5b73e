import { describe, expect, it } from 'vitest';
import { problemList } from '../core/problems.js';
import { mutations } from '../testing/fuzz.js';
import { readFixture } from '../testing/fixtures.js';
import { createKernelEventAssembler, kernelEventsOf, type KernelEvent } from './kernel-events.js';
import { parseDmesg } from './parse-dmesg.js';
import { parseKmsgRecord, type KernelRecord } from './parse-kmsg-record.js';
import { kmsgRecordsOf } from './testing/kmsg-dump.js';

const kB = 1024;

function eventsOfFixture(...path: string[]): KernelEvent[] {
  const problems = problemList();
  const events = kernelEventsOf(parseDmesg(readFixture(...path)), problems);
  expect(problems.list).toEqual([]);
  return events;
}

function eventsOfLines(...lines: string[]): KernelEvent[] {
  return kernelEventsOf(lines.map((message) => ({ message })), problemList());
}

describe('OOM kills', () => {
  it('assembles the 6.18 memcg report recorded from dmesg (pid 1039, python3, CONSTRAINT_MEMCG)', () => {
    expect(eventsOfFixture('kernel', 'captured', 'oom', 'dmesg.txt')).toEqual([{
      kind: 'oom_kill', pid: 1039, comm: 'python3', constraint: 'CONSTRAINT_MEMCG', memcg: '/vigil-oom', taskMemcg: '/vigil-oom',
      anonRssBytes: 66715648, fileRssBytes: 2124 * kB, shmemRssBytes: 0, totalVmBytes: 76088 * kB, pageTablesBytes: 192 * kB,
      oomScoreAdj: 0, uid: 0, memcgUsageBytes: 65536 * kB, memcgLimitBytes: 65536 * kB, memcgFailcnt: 3346,
      invokedBy: 'python3', monotonicUsec: 7495758489,
    }]);
    expect(readFixture('kernel', 'captured', 'oom', 'victim-pid').trim()).toBe('pid 1039');
  });

  it('assembles the same kind of report read from /dev/kmsg, with its sequence number', () => {
    const problems = problemList();
    const records = kmsgRecordsOf(readFixture('kernel', 'captured', 'oom-kmsg', 'kmsg.txt'))
      .map((text) => parseKmsgRecord(text, problems))
      .filter((record): record is KernelRecord => record !== undefined);
    const victim = Number(readFixture('kernel', 'captured', 'oom-kmsg', 'victim-pid').replace('pid ', ''));
    expect(kernelEventsOf(records, problems)).toEqual([expect.objectContaining({
      kind: 'oom_kill', pid: victim, comm: 'python3', constraint: 'CONSTRAINT_MEMCG', memcg: '/vigil-oom-kmsg', taskMemcg: '/vigil-oom-kmsg',
      anonRssBytes: 32512 * kB, memcgLimitBytes: 32 * 1024 * kB, sequence: 503, monotonicUsec: 6078308347,
    })]);
    expect(problems.list).toEqual([]);
  });

  // cAdvisor's oomparser_test.go expectations for the same logs (pid, comm, container, victim container).
  it.each([
    ['01-memcg-memorymonster.log', { pid: 13536, comm: 'memorymonster', constraint: 'CONSTRAINT_MEMCG', memcg: '/mem2', taskMemcg: '/mem2', anonRssBytes: 920 * kB, totalVmBytes: 33558652 * kB, memcgLimitBytes: 980 * kB }],
    ['02-global-badsysprogram.log', { pid: 1532, comm: 'badsysprogram', anonRssBytes: 1595164 * kB, fileRssBytes: 76 * kB, totalVmBytes: 1641388 * kB }],
    ['03-docker-memcg-gunpowder-1381.log', {
      pid: 1381, comm: 'gunpowder-memho', constraint: 'CONSTRAINT_MEMCG',
      memcg: '/docker/2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50', taskMemcg: '/docker/2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50',
      anonRssBytes: 18624 * kB, fileRssBytes: 2140 * kB, shmemRssBytes: 0, totalVmBytes: 2121528 * kB,
      memcgUsageBytes: 20480 * kB, memcgLimitBytes: 20480 * kB, memcgFailcnt: 1204,
    }],
    ['04-docker-memcg-gunpowder-1667.log', { pid: 1667, comm: 'gunpowder-memho', memcg: '/docker/6c6fcab8562fd3150854986b78552c732f234fd405b624207b8843528a145e70', anonRssBytes: 248180 * kB, memcgLimitBytes: 307200 * kB }],
    ['05-constraint-memcg-kubepods-line.log', {
      pid: 966, comm: 'manager', constraint: 'CONSTRAINT_MEMCG', uid: 0, memcg: '/kubepods/burstable/podfbdfe8e3-1c87-4ff2-907c-b2ec8e25d012',
      taskMemcg: '/kubepods/burstable/podfbdfe8e3-1c87-4ff2-907c-b2ec8e25d012/ef807430361e6e82b45db92e2e9b6fbec98f419b12c591e655c1a725565e73a8',
    }],
  ])('cAdvisor %s', (file, expected) => {
    const events = eventsOfFixture('kmsg', 'cadvisor-oomparser', file);
    expect(events).toEqual([expect.objectContaining({ kind: 'oom_kill', ...expected })]);
  });

  it('leaves the constraint out of a pre-4.19 global OOM, which does not print it', () => {
    expect(eventsOfFixture('kmsg', 'cadvisor-oomparser', '02-global-badsysprogram.log')[0]).not.toHaveProperty('constraint');
  });

  it("reads node-problem-detector's oom_kill snippet, which its OOMKilling regex matches", () => {
    const monitor = JSON.parse(readFixture('kmsg', 'node-problem-detector', 'kernel-monitor.json')) as { rules: { reason: string; pattern: string }[] };
    const oomKilling = new RegExp(monitor.rules.find((rule) => rule.reason === 'OOMKilling')?.pattern ?? 'missing');
    const text = readFixture('kmsg', 'node-problem-detector', 'problems', 'oom_kill');
    expect(text.split('\n').filter((line) => oomKilling.test(line))).toHaveLength(1);
    expect(eventsOfFixture('kmsg', 'node-problem-detector', 'problems', 'oom_kill')).toEqual([{
      kind: 'oom_kill', pid: 1012, comm: 'heapster', constraint: 'CONSTRAINT_MEMCG',
      totalVmBytes: 327128 * kB, anonRssBytes: 306328 * kB, fileRssBytes: 11132 * kB, shmemRssBytes: 12345 * kB,
    }]);
  });

  it('tells two consecutive reports apart (the 1381 and 1667 kills of one docker stream)', () => {
    const stream = readFixture('kmsg', 'cadvisor-oomparser', '03-docker-memcg-gunpowder-1381.log') + readFixture('kmsg', 'cadvisor-oomparser', '04-docker-memcg-gunpowder-1667.log');
    const events = kernelEventsOf(parseDmesg(stream), problemList());
    expect(events.map((event) => event.kind === 'oom_kill' && [event.pid, event.memcgLimitBytes])).toEqual([[1381, 20480 * kB], [1667, 307200 * kB]]);
  });

  it('ignores oom_reaper lines and keeps unrelated records between the lines of a report', () => {
    const events = eventsOfLines(
      'oom-kill:constraint=CONSTRAINT_NONE,nodemask=0-1,3,cpuset=/,mems_allowed=0-1,3,global_oom,task_memcg=/user.slice,task=stress,pid=42,uid=1000',
      'docker0: port 2(veth380a1cd) entered disabled state',
      'Out of memory: Killed process 42 (stress) total-vm:1048576kB, anon-rss:1000000kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2100kB oom_score_adj:-17',
      'oom_reaper: reaped process 42 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
    );
    expect(events).toEqual([{
      kind: 'oom_kill', pid: 42, comm: 'stress', constraint: 'CONSTRAINT_NONE', taskMemcg: '/user.slice', uid: 1000,
      totalVmBytes: 1048576 * kB, anonRssBytes: 1000000 * kB, fileRssBytes: 0, shmemRssBytes: 0, pageTablesBytes: 2100 * kB, oomScoreAdj: -17,
    }]);
  });

  it('reads a comm with spaces and parentheses', () => {
    expect(eventsOfLines('Memory cgroup out of memory: Killed process 7 (a (b) c) total-vm:8kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB')[0])
      .toMatchObject({ pid: 7, comm: 'a (b) c', anonRssBytes: 4 * kB });
  });
});

describe('hung tasks', () => {
  it.each([
    [['syzkaller', 'report', '70'], [{ pid: 10045, comm: 'syz-executor5', blockedSeconds: 120, inIoWait: false, monotonicUsec: 615391254 }]],
    [['syzkaller', 'report', '1000'], [{ pid: 5612, comm: 'udevd', blockedSeconds: 143, inIoWait: true, monotonicUsec: 584319520 }]],
    [['syzkaller', 'report', '69'], [{ pid: 2986, comm: 'getty', blockedSeconds: 120, inIoWait: false, monotonicUsec: 843240752 }]],
    [['syzkaller', 'report', '436'], [{ pid: 17, comm: 'kworker/1:0', blockedSeconds: 143, inIoWait: false, monotonicUsec: 768680053 }]],
    [['syzkaller', 'report', '550'], [{ pid: 10324, comm: 'syz-executor.0', blockedSeconds: 122, inIoWait: false }]],
    [['node-problem-detector', 'problems', 'docker_hung'], [{ pid: 20744, comm: 'docker', blockedSeconds: 120, inIoWait: false }]],
    [['node-problem-detector', 'problems', 'aufs_umount_hung'], [{ pid: 21568, comm: 'umount.aufs', blockedSeconds: 120, inIoWait: false }]],
  ])('%j', (path, expected) => {
    expect(eventsOfFixture('kmsg', ...path)).toEqual(expected.map((event) => ({ kind: 'hung_task', ...event })));
  });

  it('reads every task of report 349, printed twice (with and without timestamps)', () => {
    const events = eventsOfFixture('kmsg', 'syzkaller', 'report', '349');
    const tasks = events.map((event) => event.kind === 'hung_task' && `${event.comm}:${event.pid}`);
    const once = ['jbd2/sda-8:3563', 'kworker/u12:5:1980', 'syz-executor2:6677', 'syz-executor2:6693'];
    expect(tasks).toEqual([...once, ...once]);
  });

  it('joins a task name that contains a newline, printed over two lines (report 1001)', () => {
    const [event] = eventsOfFixture('kmsg', 'syzkaller', 'report', '1001');
    expect(event).toMatchObject({ kind: 'hung_task', pid: 18088, blockedSeconds: 143 });
    expect(event?.kind === 'hung_task' && event.comm.split('\n')).toHaveLength(2);
  });

  it("matches what NPD's TaskHung regex matches, and the newer wording it misses", () => {
    const monitor = JSON.parse(readFixture('kmsg', 'node-problem-detector', 'kernel-monitor.json')) as { rules: { reason: string; pattern: string }[] };
    const taskHung = new RegExp(monitor.rules.find((rule) => rule.reason === 'TaskHung')?.pattern ?? 'missing');
    expect(readFixture('kmsg', 'syzkaller', 'report', '1000').split('\n').some((line) => taskHung.test(line))).toBe(false);
    expect(eventsOfFixture('kmsg', 'syzkaller', 'report', '1000')).toHaveLength(1);
  });

  it('does not take the 6.x blocker lines for hung tasks', () => {
    expect(eventsOfLines('INFO: task a:1 is blocked on a mutex likely owned by task b:2.')).toEqual([]);
  });
});

describe('lockups and stalls', () => {
  it.each([
    ['266', { cpu: 1, stuckSeconds: 134, pid: 4569, comm: 'syz-executor0', monotonicUsec: 1144580971 }],
    ['264', { cpu: 1, stuckSeconds: 134, pid: 4588, comm: 'syz-executor4', monotonicUsec: 281646907 }],
    ['65', { cpu: 0, stuckSeconds: 134, pid: 1400, comm: 'kworker/0:2', monotonicUsec: 247938942 }],
    ['296', { cpu: 1, stuckSeconds: 123, pid: 3996, comm: 'syz-executor694', monotonicUsec: 848443720 }],
  ])('soft lockup in syzkaller report %s', (report, expected) => {
    expect(eventsOfFixture('kmsg', 'syzkaller', 'report', report)).toEqual([{ kind: 'soft_lockup', ...expected }]);
  });

  it.each([
    ['276', { flavor: 'rcu_sched', selfDetected: false, monotonicUsec: 396319024 }],
    ['493', { flavor: 'rcu_preempt', selfDetected: false, monotonicUsec: 3024981314 }],
  ])('RCU stall in syzkaller report %s (stalled tasks, no CPU named)', (report, expected) => {
    expect(eventsOfFixture('kmsg', 'syzkaller', 'report', report)).toEqual([{ kind: 'rcu_stall', ...expected }]);
  });

  // Lines as kernels print them, quoted in public kernel mails and commit messages.
  it.each([
    [['rcu: INFO: rcu_sched self-detected stall on CPU', 'rcu: \t4-....: (5249 ticks this GP) idle=51e4/1/0x4000000000000000 softirq=309/309 fqs=2563'],
      [{ kind: 'rcu_stall', flavor: 'rcu_sched', selfDetected: true, cpu: 4 }]],
    [['rcu: INFO: rcu_preempt self-detected stall on CPU', 'rcu:     3-...!: (4 ticks this GP) idle=f824/0/0x1 softirq=4614/4614 fqs=0'],
      [{ kind: 'rcu_stall', flavor: 'rcu_preempt', selfDetected: true, cpu: 3 }]],
    [['INFO: rcu_sched self-detected stall on CPU { 3}  (t=6000 jiffies g=1234 c=1233 q=5)'], [{ kind: 'rcu_stall', flavor: 'rcu_sched', selfDetected: true, cpu: 3 }]],
    [['watchdog: CPU3: Watchdog detected hard LOCKUP on cpu 3'], [{ kind: 'hard_lockup', cpu: 3 }]],
    [['NMI watchdog: Watchdog detected hard LOCKUP on cpu 1'], [{ kind: 'hard_lockup', cpu: 1 }]],
  ])('%j', (lines, expected) => {
    expect(eventsOfLines(...lines)).toEqual(expected);
  });

  it.each(['94', '517', '112', '999', '47'])('finds nothing in syzkaller report %s (workqueue lockup, GPF, NULL deref, WARNING, panic)', (report) => {
    expect(eventsOfFixture('kmsg', 'syzkaller', 'report', report)).toEqual([]);
  });

  it.each(['null_pointer', 'divide_zero', 'unregister_netdevice', 'readonly_filesystem', 'au_opts_verify'])('finds nothing in NPD %s', (problem) => {
    expect(eventsOfFixture('kmsg', 'node-problem-detector', 'problems', problem)).toEqual([]);
  });
});

describe('createKernelEventAssembler', () => {
  it('holds a report until its Killed process line, and says so in pendingVersion', () => {
    const assembler = createKernelEventAssembler(problemList());
    expect(assembler.pendingVersion).toBeUndefined();
    expect(assembler.push({ message: 'python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0' })).toEqual([]);
    const first = assembler.pendingVersion;
    expect(assembler.push({ message: 'memory: usage 65536kB, limit 65536kB, failcnt 3346' })).toEqual([]);
    expect(assembler.pendingVersion).not.toBe(first);
    expect(assembler.push({ message: 'unrelated' })).toEqual([]);
    expect(assembler.push({ message: 'Memory cgroup out of memory: Killed process 1039 (python3) total-vm:76088kB, anon-rss:65152kB, file-rss:2124kB, shmem-rss:0kB, UID:0 pgtables:192kB oom_score_adj:0' }))
      .toEqual([expect.objectContaining({ pid: 1039, memcgLimitBytes: 65536 * kB })]);
    expect(assembler.pendingVersion).toBeUndefined();
  });

  it('drops a report that never names a victim', () => {
    expect(eventsOfLines('x invoked oom-killer: gfp_mask=0x0, order=0, oom_score_adj=0', 'memory: usage 1kB, limit 1kB, failcnt 1')).toEqual([]);
  });

  it.each([
    ['Killed process 12 (x)', 1],
    ['oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)', 1],
    ['Killed process 99999999999999999999 (x) total-vm:1kB, anon-rss:1kB', 1],
    ['INFO: task a:99999999999999999999 blocked for more than 120 seconds.', 1],
  ])('reports %j', (line, count) => {
    const problems = problemList();
    expect(kernelEventsOf([{ message: line }], problems)).toEqual([]);
    expect(problems.list).toHaveLength(count);
  });

  it('never throws on damaged logs (400 seeded mutations of every kind of report)', () => {
    const logs = [
      ['kernel', 'captured', 'oom', 'dmesg.txt'], ['kmsg', 'cadvisor-oomparser', '01-memcg-memorymonster.log'],
      ['kmsg', 'cadvisor-oomparser', '05-constraint-memcg-kubepods-line.log'], ['kmsg', 'syzkaller', 'report', '1001'],
      ['kmsg', 'syzkaller', 'report', '266'], ['kmsg', 'syzkaller', 'report', '493'], ['kmsg', 'node-problem-detector', 'problems', 'oom_kill'],
      ['kmsg', 'syzkaller', 'report', '1000'],
    ];
    let cases = 0;
    for (const [index, path] of logs.entries()) {
      for (const mutated of mutations(readFixture(...path), 1000 + index, 50)) {
        for (const event of kernelEventsOf(parseDmesg(mutated), problemList())) expect(event.kind).toBeTypeOf('string');
        cases++;
      }
    }
    expect(cases).toBe(400);
  });
});
