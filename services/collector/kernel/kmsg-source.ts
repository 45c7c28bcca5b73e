import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { uptime } from 'node:os';
import { z } from 'zod';
import type { CollectContext, Source, SourceBatch } from '../source.js';
import type { Problems } from '../core/problems.js';
import { createKernelEventAssembler, kernelEventsOf, type KernelEvent } from './kernel-events.js';
import { bootTimeMs, eventCountSamples, eventTimeMs, kernelEventSamples, kernelEventsSource, zeroEventCounts } from './kernel-samples.js';
import { parseDmesg } from './parse-dmesg.js';
import { parseKmsgRecord, type KernelRecord } from './parse-kmsg-record.js';

/** The collector's settings for the kernel log; merged into the collector's config schema. */
export const kernelLogConfigSchema = z.object({
  VIGIL_KMSG: z.string().trim().min(1).default('/dev/kmsg')
    .describe("Kernel log to read for OOM kills, hung tasks and lockups: /dev/kmsg, a dmesg text file (read once, e.g. a capture's dmesg.txt), or 'off'"),
  VIGIL_KMSG_BACKLOG: z.enum(['read', 'skip']).default('read')
    .describe('At start, read: publish events from the kernel log that happened up to VIGIL_KMSG_BACKLOG_WINDOW_SECONDS before the collector started; skip: only events after it started'),
  VIGIL_KMSG_BACKLOG_WINDOW_SECONDS: z.coerce.number().min(0).default(300)
    .describe('With VIGIL_KMSG_BACKLOG=read, how far back before the collector started an event is still published (a restart re-publishes at most this much)'),
});

export type KernelLogConfig = z.infer<typeof kernelLogConfigSchema>;

export interface KernelLogSourceOptions {
  /** /dev/kmsg (a character device speaking its record protocol) or a dmesg text file. */
  path: string;
  /** 'read' (default): publish backlog events newer than start − backlogWindowMs; 'skip': only events after start. */
  backlog?: 'read' | 'skip';
  /** Default 5 minutes. */
  backlogWindowMs?: number;
  /** When the collector started, epoch ms; default the nowMs of the first collect. */
  startedAtMs?: number;
  /** Most reads per cycle (default 10,000, a full 1 MiB ring buffer is about that); the rest waits for the next cycle. */
  maxReadsPerCycle?: number;
}

/** A Source over the kernel log that holds /dev/kmsg open between cycles; close() releases it. */
export interface KernelLogSource extends Source {
  close(): Promise<void>;
}

/** The source the config asks for, or undefined when VIGIL_KMSG is 'off'. */
export function kernelLogSourceFromConfig(config: KernelLogConfig): KernelLogSource | undefined {
  if (config.VIGIL_KMSG === 'off') return undefined;
  return kernelLogSource({ path: config.VIGIL_KMSG, backlog: config.VIGIL_KMSG_BACKLOG, backlogWindowMs: config.VIGIL_KMSG_BACKLOG_WINDOW_SECONDS * 1000 });
}

const recordBufferBytes = 16 * 1024; // a record's text is at most 1 KiB before \xNN escaping (×4)

/**
 * Kernel log events (source `kernel.events`). /dev/kmsg is opened O_NONBLOCK; each read returns one
 * record, EAGAIN means none is left, EPIPE means the ring buffer overwrote records before we read
 * them (reported, reading goes on from the oldest record left). Every record is read once: the
 * descriptor stays open and, if it has to be reopened, records up to the last sequence seen are
 * skipped. A dmesg file is read whole at the first cycle. An unreadable log (EACCES/EPERM in an
 * unprivileged container, no such file) is reported once; the source then yields nothing.
 */
export function kernelLogSource(options: KernelLogSourceOptions): KernelLogSource {
  const windowMs = options.backlog === 'skip' ? 0 : (options.backlogWindowMs ?? 300_000);
  const maxReads = options.maxReadsPerCycle ?? 10_000;
  let startedAtMs = options.startedAtMs;
  let mode: 'unopened' | 'kmsg' | 'file-read' | 'disabled' = 'unopened';
  let handle: FileHandle | undefined;
  let lastSequence: number | undefined;
  const counts = zeroEventCounts();
  let cycleProblems: Problems = { report: () => undefined };
  const problems: Problems = { report: (problem) => cycleProblems.report(problem) };
  const assembler = createKernelEventAssembler(problems);
  const buffer = Buffer.alloc(recordBufferBytes);

  const failure = (error: unknown): string => String((error as { code?: unknown } | null)?.code ?? (error instanceof Error ? error.message : error));

  const batch = (events: KernelEvent[], bootTime: number | undefined): SourceBatch[] => {
    for (const event of events) counts[event.kind]++;
    return [{ source: kernelEventsSource, samples: kernelEventSamples(events, counts, bootTime) }];
  };

  const bootTimeOf = async ({ files, nowMs }: CollectContext, fallbackToThisKernel: boolean): Promise<number | undefined> => {
    const text = await files.readText('proc/uptime', problems);
    if (text !== undefined) return bootTimeMs(text, nowMs, problems);
    return fallbackToThisKernel ? Math.round(nowMs - uptime() * 1000) : undefined;
  };

  const readFile = async (file: FileHandle, context: CollectContext): Promise<SourceBatch[]> => {
    mode = 'file-read';
    const text = await file.readFile('utf8');
    const events = kernelEventsOf(parseDmesg(text), problems);
    return batch(events, await bootTimeOf(context, false));
  };

  const readRecords = async (): Promise<KernelRecord[]> => {
    const records: KernelRecord[] = [];
    for (let reads = 0; handle && reads < maxReads; reads++) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (error) {
        const code = failure(error);
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        if (code === 'EPIPE') {
          problems.report(`${options.path}: records were overwritten before they were read (EPIPE); going on from the oldest record left`);
          continue;
        }
        problems.report(`cannot read ${options.path}: ${code}; reopening at the next cycle`);
        await closeHandle();
        break;
      }
      if (bytesRead === 0) break;
      const record = parseKmsgRecord(buffer.toString('utf8', 0, bytesRead), problems);
      if (!record || record.sequence === undefined) continue;
      if (lastSequence !== undefined && record.sequence <= lastSequence) continue;
      lastSequence = record.sequence;
      records.push(record);
    }
    return records;
  };

  const closeHandle = async (): Promise<void> => {
    const closing = handle;
    handle = undefined;
    await closing?.close().catch(() => undefined);
  };

  return {
    name: kernelEventsSource,
    async collect(context) {
      cycleProblems = context.problems;
      startedAtMs ??= context.nowMs;
      if (mode === 'disabled') return [];
      if (mode === 'file-read') return [{ source: kernelEventsSource, samples: eventCountSamples(counts) }];
      if (!handle) {
        try {
          handle = await open(options.path, constants.O_RDONLY | constants.O_NONBLOCK);
        } catch (error) {
          if (mode === 'unopened') {
            mode = 'disabled';
            problems.report(`cannot open ${options.path}: ${failure(error)}; kernel events are not collected`);
            return [];
          }
          problems.report(`cannot reopen ${options.path}: ${failure(error)}`);
          return [{ source: kernelEventsSource, samples: eventCountSamples(counts) }];
        }
        if (mode === 'unopened' && (await handle.stat()).isFile()) {
          try {
            return await readFile(handle, context);
          } finally {
            await closeHandle();
          }
        }
        mode = 'kmsg';
      }
      const pendingBefore = assembler.pendingVersion;
      const events: KernelEvent[] = [];
      for (const record of await readRecords()) events.push(...assembler.push(record));
      // A report that took no record for a whole cycle is complete as far as the kernel is concerned.
      if (pendingBefore !== undefined && assembler.pendingVersion === pendingBefore) events.push(...assembler.flush());
      const bootTime = await bootTimeOf(context, true);
      const oldestMs = startedAtMs - windowMs;
      const fresh = events.filter((event) => {
        const timeMs = eventTimeMs(event, bootTime);
        return timeMs === undefined || timeMs >= oldestMs;
      });
      return batch(fresh, bootTime);
    },
    close: closeHandle,
  };
}
