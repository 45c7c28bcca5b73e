import { clamp, fact, formatBytes, suggestion } from '../core/format.js';
import type { Evidence, Finding } from '../core/evidence.js';
import type { ProcessView } from '../core/scene-view.js';
import { cgroupAt, cgroupLatest, containerSpec, GiB, KiB, MiB, processLabel, residentPoints, trendOf } from './memory-reading.js';

/** RSS at least this many times -Xmx, and this far above it, is memory the heap does not explain. */
const RSS_OVER_HEAP_RATIO = 1.5;
const MIN_OFF_HEAP_BYTES = 256 * MiB;

const units: Record<string, number> = { '': 1, k: KiB, m: MiB, g: GiB, t: 1024 * GiB };

/** The last `-Xmx<size>` in a command line or JVM options variable, in bytes. */
export function maxHeapBytes(text: string): number | undefined {
  let found: number | undefined;
  for (const match of text.matchAll(/-Xmx(\d+)([kKmMgGtT]?)\b/g)) found = Number(match[1]) * units[match[2]!.toLowerCase()]!;
  for (const match of text.matchAll(/-XX:MaxHeapSize=(\d+)([kKmMgGtT]?)\b/g)) found = Number(match[1]) * units[match[2]!.toLowerCase()]!;
  return found;
}

/** -XX:MaxRAMPercentage=NN (the heap as a share of the container limit), 0..1. */
function maxRamPercentage(text: string): number | undefined {
  const match = /-XX:MaxRAMPercentage=(\d+(?:\.\d+)?)/.exec(text);
  return match ? Number(match[1]) / 100 : undefined;
}

function isJava(process: ProcessView): boolean {
  return process.comm === 'java' || /(^|\/)java(\s|$)/.test(process.cmdline ?? '');
}

/**
 * A JVM whose resident memory is far above its maximum heap (-Xmx from its command line, or from
 * the container's command, args, JAVA_TOOL_OPTIONS / JAVA_OPTS / _JAVA_OPTIONS, or MaxRAMPercentage
 * of the limit): the rest is off-heap — direct buffers, metaspace, thread stacks, JIT code, native
 * libraries — which -Xmx does not bound and which the container limit counts.
 */
export function jvmOffHeap(evidence: Evidence): Finding | undefined {
  const { scene, kubernetes } = evidence;
  let best: { process: ProcessView; rss: number; heap: number; heapFrom: string } | undefined;
  for (const process of scene.processes()) {
    if (!isJava(process)) continue;
    const rss = trendOf(process.metrics.get('rss_bytes')?.points ?? residentPoints(process).points)?.last;
    if (rss === undefined) continue;
    const spec = containerSpec(kubernetes, process.pod?.container);
    const specText = spec ? [spec.commandLine, ...spec.env].join(' ') : '';
    let heap = maxHeapBytes(process.cmdline ?? '');
    let heapFrom = 'command line -Xmx';
    if (heap === undefined && spec) {
      heap = maxHeapBytes(specText);
      heapFrom = 'container command / JVM options -Xmx';
    }
    if (heap === undefined) {
      const share = maxRamPercentage(`${process.cmdline ?? ''} ${specText}`);
      const cgroup = process.cgroup !== undefined ? cgroupAt(scene, process.cgroup) : undefined;
      const limit = (cgroup ? cgroupLatest(scene, cgroup, 'memory_limit_bytes') : undefined) ?? spec?.memoryLimitBytes;
      if (share !== undefined && limit !== undefined) {
        heap = share * limit;
        heapFrom = `MaxRAMPercentage=${share * 100} of the ${formatBytes(limit)} limit`;
      }
    }
    if (heap === undefined || heap <= 0) continue;
    if (rss < RSS_OVER_HEAP_RATIO * heap || rss - heap < MIN_OFF_HEAP_BYTES) continue;
    if (!best || rss - heap > best.rss - best.heap) best = { process, rss, heap, heapFrom };
  }
  if (!best) return undefined;
  const { process, rss, heap, heapFrom } = best;
  const name = processLabel(process);
  const offHeap = rss - heap;
  const threads = process.metrics.get('threads')?.points.at(-1)?.value;
  const cgroup = process.cgroup !== undefined ? cgroupAt(scene, process.cgroup) : undefined;
  const limit = (cgroup ? cgroupLatest(scene, cgroup, 'memory_limit_bytes') : undefined) ?? containerSpec(kubernetes, process.pod?.container)?.memoryLimitBytes;
  const directCap = Math.max(64, Math.ceil(offHeap / 2 / MiB / 64) * 64);
  const facts = [
    fact('RSS', rss, 'bytes', name),
    fact('max heap (-Xmx)', heap, 'bytes', heapFrom),
    fact('memory above the heap', offHeap, 'bytes', 'direct buffers, metaspace, thread stacks, code cache, native'),
    fact('RSS / max heap', rss / heap, 'ratio', name),
  ];
  if (threads !== undefined) facts.push(fact('threads', threads, 'threads', `${name}: each has a stack (-Xss, 1 MiB by default)`));
  if (limit !== undefined) facts.push(fact('memory limit', limit, 'bytes', process.cgroup ?? null));
  const nearLimit = limit !== undefined && rss >= 0.85 * limit;
  return {
    cause: 'JVM_OFF_HEAP',
    summary: `JVM ${name} uses ${formatBytes(rss)} resident with -Xmx ${formatBytes(heap)}: ${formatBytes(offHeap)} is off-heap (direct buffers, metaspace, threads)${nearLimit ? `, at ${Math.round((rss / limit!) * 100)} % of its limit` : ''}`,
    confidence: clamp(0.55 + 0.1 * Math.min(2, rss / heap - 1) + (nearLimit ? 0.1 : 0), 0, 0.85),
    severity: nearLimit ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion(`see where the memory outside the heap goes: restart with native memory tracking, then ask the JVM`, `jcmd ${process.pid} VM.native_memory summary`, '-XX:NativeMemoryTracking=summary'),
      suggestion(`bound NIO direct buffers (Netty, gRPC, Kafka clients), e.g. to ${directCap} MiB`, null, `-XX:MaxDirectMemorySize=${directCap}m`),
      suggestion('bound metaspace and thread stacks if NMT shows them large', null, '-XX:MaxMetaspaceSize=256m -Xss512k'),
      suggestion(`size the container for heap + off-heap: a limit of at least ${formatBytes(Math.ceil((rss * 1.25) / (64 * MiB)) * 64 * MiB)} (RSS + 25 %), or lower -Xmx so heap + off-heap fits`),
    ],
  };
}
