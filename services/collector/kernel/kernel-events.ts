import type { Problems } from '../core/problems.js';
import type { KernelRecord } from './parse-kmsg-record.js';

export const kernelEventKinds = ['oom_kill', 'hung_task', 'soft_lockup', 'hard_lockup', 'rcu_stall'] as const;
export type KernelEventKind = (typeof kernelEventKinds)[number];

/** Where an event sits in the log: taken from the record that completed it. */
export interface KernelEventOrigin {
  monotonicUsec?: number;
  sequence?: number;
}

/** The OOM killer killed a process: one report (`invoked oom-killer` … `Killed process`) assembled. */
export interface OomKillEvent extends KernelEventOrigin {
  kind: 'oom_kill';
  pid: number;
  /** Task name, cut to 15 bytes by the kernel (`gunpowder-memho`). */
  comm: string;
  /**
   * CONSTRAINT_NONE (the whole machine), CONSTRAINT_CPUSET, CONSTRAINT_MEMORY_POLICY or
   * CONSTRAINT_MEMCG, from the `oom-kill:constraint=` line (kernels ≥ 4.19); before that
   * CONSTRAINT_MEMCG is inferred from the `Memory cgroup out of memory` wording, otherwise absent.
   */
  constraint?: string;
  /** The memory cgroup whose limit was hit (`oom_memcg=`, or `… as a result of limit of <memcg>`); absent for a global OOM. */
  memcg?: string;
  /** The victim's own memory cgroup (`task_memcg=`, or `Task in <memcg> killed`). */
  taskMemcg?: string;
  anonRssBytes?: number;
  fileRssBytes?: number;
  shmemRssBytes?: number;
  totalVmBytes?: number;
  pageTablesBytes?: number;
  oomScoreAdj?: number;
  uid?: number;
  /** `memory: usage …kB, limit …kB, failcnt …` of the memcg, printed for memcg OOMs. */
  memcgUsageBytes?: number;
  memcgLimitBytes?: number;
  memcgFailcnt?: number;
  /** The task whose allocation invoked the OOM killer (`<comm> invoked oom-killer:`), often the victim. */
  invokedBy?: string;
}

/** `INFO: task <comm>:<pid> blocked [in I/O wait ]for more than <n> seconds.` (khungtaskd). */
export interface HungTaskEvent extends KernelEventOrigin {
  kind: 'hung_task';
  pid: number;
  comm: string;
  /** The threshold the task exceeded (kernel.hung_task_timeout_secs), not its total wait. */
  blockedSeconds: number;
  /** Newer kernels say `blocked in I/O wait` when the task sleeps in io_schedule. */
  inIoWait: boolean;
}

/** `watchdog: BUG: soft lockup - CPU#<n> stuck for <s>s! [<comm>:<pid>]`. */
export interface SoftLockupEvent extends KernelEventOrigin {
  kind: 'soft_lockup';
  cpu: number;
  stuckSeconds: number;
  pid: number;
  comm: string;
}

/** `Watchdog detected hard LOCKUP on cpu <n>` (NMI or buddy watchdog). */
export interface HardLockupEvent extends KernelEventOrigin {
  kind: 'hard_lockup';
  cpu: number;
}

/** `rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:` or `… self-detected stall on CPU`. */
export interface RcuStallEvent extends KernelEventOrigin {
  kind: 'rcu_stall';
  /** rcu_sched, rcu_preempt, rcu_bh, … */
  flavor: string;
  selfDetected: boolean;
  /** The first stalled CPU the report names, when it names one. */
  cpu?: number;
}

export type KernelEvent = OomKillEvent | HungTaskEvent | SoftLockupEvent | HardLockupEvent | RcuStallEvent;

/**
 * Turns kernel log records, in log order, into events. Stateful because an OOM kill is a report
 * of many records and an RCU stall names its CPU on the next record. Never throws: a line that
 * looks like one of ours but cannot be read is reported to problems and skipped.
 */
export interface KernelEventAssembler {
  /** Feeds one record; returns the events it completes (usually none). */
  push(record: KernelRecord): KernelEvent[];
  /** Ends the input: returns what is still being assembled, if it names a victim or a stall. */
  flush(): KernelEvent[];
  /**
   * Undefined when nothing is being assembled; otherwise changes whenever the report being
   * assembled takes a record. A live reader that sees the same version before and after a cycle's
   * reads flushes: the rest of that report is not coming.
   */
  readonly pendingVersion: number | undefined;
}

/** All events of a finished log (a dmesg file): push every record, then flush. */
export function kernelEventsOf(records: Iterable<KernelRecord>, problems: Problems): KernelEvent[] {
  const assembler = createKernelEventAssembler(problems);
  const events: KernelEvent[] = [];
  for (const record of records) events.push(...assembler.push(record));
  events.push(...assembler.flush());
  return events;
}

// The order of the lines of one OOM report; a line of an earlier stage (or a second line of the
// oom-kill / kill stages) starts the next report.
const Stage = { Invoked: 0, Context: 1, Summary: 2, Selected: 3, Killed: 4 } as const;
type Stage = (typeof Stage)[keyof typeof Stage];

interface PendingOom extends Partial<Omit<OomKillEvent, 'kind'>> {
  stage: Stage;
}

interface PendingRcu extends KernelEventOrigin {
  flavor: string;
  selfDetected: boolean;
}

const patterns = {
  invoked: /^(.*) invoked oom-killer: /,
  taskIn: /^Task in (.+) killed as a result of limit of (.+)$/,
  memcgUsage: /^memory: usage (\d+)kB, limit (\d+)kB, failcnt (\d+)/,
  memcgStats: /^Memory cgroup stats for (.*?):(?: |$)/,
  summary: /^oom-kill:/,
  summaryTail: /,task=([\s\S]*),pid=(\d+),uid=(\d+)\s*$/,
  selected: /^(Memory cgroup out of memory|Out of memory(?: \([^)]*\))?): Kill process (\d+) \(([\s\S]*)\) (?:score|sharing)/,
  killedStart: /^(?:(Memory cgroup out of memory|Out of memory(?: \([^)]*\))?): )?Killed process /,
  killed: /Killed process (\d+) \(([\s\S]*)\) (total-vm:.*)$/,
  hungTask: /^INFO: task ([\s\S]+):(\d+) blocked (in I\/O wait )?for more than (\d+) seconds\./,
  hungTaskHead: /^INFO: task (.+)$/,
  hungTaskTail: /^([\s\S]*):(\d+) blocked (in I\/O wait )?for more than (\d+) seconds\./,
  softLockup: /BUG: soft lockup - CPU#(\d+) stuck for (\d+)s! \[([\s\S]+):(\d+)\]/,
  hardLockup: /Watchdog detected hard LOCKUP on cpu (\d+)/,
  rcuStall: /^(?:rcu: )?INFO: (rcu_\w+) (self-detected stall|detected stalls?) on CPU(?:s\/tasks)?:?(?:\s*\{\s*(\d+))?/,
  rcuCpu: /^(?:rcu: )?\s*(\d+)-/,
};

export function createKernelEventAssembler(problems: Problems): KernelEventAssembler {
  let version = 0;
  let oom: PendingOom | undefined;
  let rcu: PendingRcu | undefined;
  // A task name with a newline in it is printed over two dmesg lines ("INFO: task <part>" + "<part>:<pid> blocked …").
  let hungTaskHead: string | undefined;

  const finishOom = (): KernelEvent[] => {
    const pending = oom;
    oom = undefined;
    if (pending?.pid === undefined || pending.comm === undefined) return [];
    const { stage: _stage, pid, comm, ...rest } = pending;
    const known = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
    return [{ kind: 'oom_kill', pid, comm, ...known }];
  };

  /** The pending report for a line of `stage`, after finishing the previous report if this line starts a new one. */
  const oomAt = (stage: Stage, record: KernelRecord, events: KernelEvent[]): PendingOom => {
    if (oom && (stage < oom.stage || (stage === oom.stage && stage >= Stage.Summary))) events.push(...finishOom());
    oom ??= { stage };
    version++;
    oom.stage = Math.max(oom.stage, stage) as Stage;
    if (record.monotonicUsec !== undefined) oom.monotonicUsec = record.monotonicUsec;
    if (record.sequence !== undefined) oom.sequence = record.sequence;
    return oom;
  };

  const origin = (record: KernelRecord): KernelEventOrigin => {
    const result: KernelEventOrigin = {};
    if (record.monotonicUsec !== undefined) result.monotonicUsec = record.monotonicUsec;
    if (record.sequence !== undefined) result.sequence = record.sequence;
    return result;
  };

  const finishRcu = (cpu?: number): KernelEvent[] => {
    if (!rcu) return [];
    const pending = rcu;
    rcu = undefined;
    return [cpu === undefined ? { kind: 'rcu_stall', ...pending } : { kind: 'rcu_stall', ...pending, cpu }];
  };

  const integer = (text: string | undefined, what: string, line: string): number | undefined => {
    const value = Number(text);
    if (text === undefined || text === '' || !Number.isSafeInteger(value)) {
      problems.report(`${what}: not an integer in ${JSON.stringify(line.slice(0, 80))}`);
      return undefined;
    }
    return value;
  };

  const kilobytes = (text: string | undefined, what: string, line: string): number | undefined => {
    const value = integer(text, what, line);
    return value === undefined ? undefined : value * 1024;
  };

  const readSummary = (message: string, record: KernelRecord, events: KernelEvent[]): void => {
    const tail = patterns.summaryTail.exec(message);
    if (!tail) {
      problems.report(`oom-kill line without ",task=…,pid=…,uid=…": ${JSON.stringify(message.slice(0, 80))}`);
      return;
    }
    const pending = oomAt(Stage.Summary, record, events);
    pending.comm = tail[1] ?? '';
    pending.pid = integer(tail[2], 'oom-kill pid', message);
    pending.uid = integer(tail[3], 'oom-kill uid', message);
    // constraint=…,nodemask=…,cpuset=…,mems_allowed=…,oom_memcg=… | global_oom,task_memcg=…; nodemask
    // and mems_allowed are CPU lists that may contain commas, so split only before known keys.
    const head = message.slice('oom-kill:'.length, tail.index);
    for (const [, key, value = ''] of head.matchAll(/(?:^|,)(constraint|nodemask|cpuset|mems_allowed|oom_memcg|task_memcg)=([\s\S]*?)(?=,(?:constraint|nodemask|cpuset|mems_allowed|oom_memcg|task_memcg)=|,global_oom(?:,|$)|$)/g)) {
      if (key === 'constraint') pending.constraint = value;
      else if (key === 'oom_memcg') pending.memcg = value;
      else if (key === 'task_memcg') pending.taskMemcg = value;
    }
    if (pending.constraint === undefined) problems.report(`oom-kill line without constraint=: ${JSON.stringify(message.slice(0, 80))}`);
  };

  const readKilled = (message: string, record: KernelRecord, events: KernelEvent[]): void => {
    const killed = patterns.killed.exec(message);
    const pid = killed ? integer(killed[1], 'Killed process pid', message) : undefined;
    if (!killed || pid === undefined) {
      if (!killed) problems.report(`unreadable "Killed process" line: ${JSON.stringify(message.slice(0, 80))}`);
      return;
    }
    const pending = oomAt(Stage.Killed, record, events);
    pending.pid = pid;
    pending.comm = killed[2] ?? '';
    const wording = patterns.killedStart.exec(message)?.[1];
    if (wording?.startsWith('Memory cgroup')) pending.constraint ??= 'CONSTRAINT_MEMCG';
    for (const [, key, value] of (killed[3] ?? '').matchAll(/([A-Za-z_-]+):(-?\d+)(?:kB)?/g)) {
      if (key === 'total-vm') pending.totalVmBytes = kilobytes(value, key, message);
      else if (key === 'anon-rss') pending.anonRssBytes = kilobytes(value, key, message);
      else if (key === 'file-rss') pending.fileRssBytes = kilobytes(value, key, message);
      else if (key === 'shmem-rss') pending.shmemRssBytes = kilobytes(value, key, message);
      else if (key === 'pgtables') pending.pageTablesBytes = kilobytes(value, key, message);
      else if (key === 'oom_score_adj') pending.oomScoreAdj = integer(value, key, message);
      else if (key === 'UID') pending.uid = integer(value, key, message);
    }
    if (pending.anonRssBytes === undefined) problems.report(`"Killed process" line without anon-rss: ${JSON.stringify(message.slice(0, 80))}`);
    events.push(...finishOom());
  };

  const readOom = (message: string, record: KernelRecord, events: KernelEvent[]): boolean => {
    let match: RegExpExecArray | null;
    if ((match = patterns.invoked.exec(message))) {
      const pending = oomAt(Stage.Invoked, record, events);
      pending.invokedBy = match[1] ?? '';
    } else if ((match = patterns.taskIn.exec(message))) {
      const pending = oomAt(Stage.Context, record, events);
      pending.taskMemcg = match[1];
      pending.memcg = match[2];
      pending.constraint ??= 'CONSTRAINT_MEMCG';
    } else if ((match = patterns.memcgUsage.exec(message))) {
      const pending = oomAt(Stage.Context, record, events);
      pending.memcgUsageBytes = kilobytes(match[1], 'memcg usage', message);
      pending.memcgLimitBytes = kilobytes(match[2], 'memcg limit', message);
      pending.memcgFailcnt = integer(match[3], 'memcg failcnt', message);
    } else if ((match = patterns.memcgStats.exec(message))) {
      oomAt(Stage.Context, record, events).memcg ??= match[1];
    } else if (patterns.summary.test(message)) {
      readSummary(message, record, events);
    } else if ((match = patterns.selected.exec(message))) {
      const pending = oomAt(Stage.Selected, record, events);
      pending.pid = integer(match[2], 'Kill process pid', message);
      pending.comm = match[3] ?? '';
      if (match[1]?.startsWith('Memory cgroup')) pending.constraint ??= 'CONSTRAINT_MEMCG';
    } else if (patterns.killedStart.test(message)) {
      readKilled(message, record, events);
    } else {
      return false;
    }
    return true;
  };

  const readHungTask = (message: string, record: KernelRecord, events: KernelEvent[]): boolean => {
    const head = hungTaskHead;
    hungTaskHead = undefined;
    const whole = patterns.hungTask.exec(message);
    const tail = whole ? undefined : head !== undefined ? patterns.hungTaskTail.exec(message) : undefined;
    const match = whole ?? tail;
    if (match) {
      const pid = integer(match[2], 'hung task pid', message);
      const blockedSeconds = integer(match[4], 'hung task seconds', message);
      if (pid === undefined || blockedSeconds === undefined) return true;
      const comm = tail ? `${head}\n${match[1] ?? ''}` : (match[1] ?? '');
      events.push({ kind: 'hung_task', pid, comm, blockedSeconds, inIoWait: match[3] !== undefined, ...origin(record) });
      return true;
    }
    const partial = patterns.hungTaskHead.exec(message);
    if (partial && !message.includes('blocked')) {
      hungTaskHead = partial[1];
      return true;
    }
    return false;
  };

  const readWatchdog = (message: string, record: KernelRecord, events: KernelEvent[]): boolean => {
    let match: RegExpExecArray | null;
    if ((match = patterns.softLockup.exec(message))) {
      const cpu = integer(match[1], 'soft lockup cpu', message);
      const stuckSeconds = integer(match[2], 'soft lockup seconds', message);
      const pid = integer(match[4], 'soft lockup pid', message);
      if (cpu !== undefined && stuckSeconds !== undefined && pid !== undefined) {
        events.push({ kind: 'soft_lockup', cpu, stuckSeconds, pid, comm: match[3] ?? '', ...origin(record) });
      }
      return true;
    }
    if ((match = patterns.hardLockup.exec(message))) {
      const cpu = integer(match[1], 'hard lockup cpu', message);
      if (cpu !== undefined) events.push({ kind: 'hard_lockup', cpu, ...origin(record) });
      return true;
    }
    if ((match = patterns.rcuStall.exec(message))) {
      events.push(...finishRcu());
      version++;
      rcu = { flavor: match[1] ?? '', selfDetected: match[2] === 'self-detected stall', ...origin(record) };
      if (match[3] !== undefined) events.push(...finishRcu(integer(match[3], 'rcu stall cpu', message)));
      return true;
    }
    return false;
  };

  return {
    get pendingVersion() {
      return rcu || oom ? version : undefined;
    },
    push(record) {
      const events: KernelEvent[] = [];
      const { message } = record;
      if (rcu) {
        const cpu = patterns.rcuCpu.exec(message)?.[1];
        events.push(...finishRcu(cpu === undefined ? undefined : Number(cpu)));
        if (cpu !== undefined) return events;
      }
      if (!readHungTask(message, record, events)) {
        if (!readOom(message, record, events)) readWatchdog(message, record, events);
      }
      return events;
    },
    flush() {
      hungTaskHead = undefined;
      return [...finishRcu(), ...finishOom()];
    },
  };
}
