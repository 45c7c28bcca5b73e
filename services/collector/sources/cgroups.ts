import type { Sample } from '../../../src/codec/records.generated.js';
import { noAttribution, type CgroupAttribution } from '../attribution.js';
import { parseCfsQuota, parseCpuacctUsage, parseCpuMax, parseCpuStat, type CgroupCpu } from '../core/cgroup/cpu.js';
import { parseBlkioServiceBytes, parseIoStat, type CgroupIo } from '../core/cgroup/io.js';
import {
  parseCount, parseMemoryEventsV2, parseMemoryLimitV1, parseMemoryMaxV2, parseMemoryStatV1, parseMemoryStatV2, parseOomControlV1,
  type CgroupMemory,
} from '../core/cgroup/memory.js';
import { parsePidsEventsMax, parsePidsMax } from '../core/cgroup/pids.js';
import { parseCgroupPressure, type CgroupPressure } from '../core/cgroup/pressure.js';
import {
  cpuSamples, ioSamples, memorySamples, pidsSamples, pressureResources, pressureSamples, type CgroupPids, type CgroupPressureResource,
} from '../core/cgroup/samples.js';
import { batchSourceName, defaultMaxCgroups, isPublishedCgroup, maxCgroupDepth, maxSamplesPerBatch, selectCgroups, shardCount, shardOf } from '../core/cgroup/select.js';
import type { Problems } from '../core/problems.js';
import type { HostFile, HostFiles } from '../host-files.js';
import type { Source, SourceBatch } from '../source.js';

export interface CgroupSourceOptions {
  /** At most this many cgroups are published per cycle; when more qualify, the largest by memory usage. */
  maxCgroups?: number;
  /** Pod and container labels for a cgroup path (services/collector/kubernetes/ provides the real one). */
  attribute?: CgroupAttribution;
}

/** One mounted hierarchy under sys/fs/cgroup. */
interface Hierarchy {
  hostPath: string;
  version: 1 | 2;
  /** The v2 hierarchy of a hybrid host (sys/fs/cgroup/unified): read for its pressure files only. */
  pressureOnly: boolean;
  /** What this hierarchy's directories hold (v1: its controllers; v2: everything). */
  controllers: ReadonlySet<Controller>;
}

type Controller = 'memory' | 'cpu' | 'cpuacct' | 'pids' | 'blkio' | 'pressure';

/** One cgroup's directory in one hierarchy, with the files it has (undefined: not listed, read what the controllers promise). */
interface CgroupDirectory {
  hierarchy: Hierarchy;
  hostPath: string;
  files: ReadonlySet<string> | undefined;
  /** The files read, by file name: made once (HostFiles.file), the same objects every cycle. */
  paths: Map<string, HostFile>;
}

/** A file of a cgroup directory (see CgroupDirectory.paths). */
function fileOf(files: HostFiles, directory: CgroupDirectory, name: string): HostFile {
  let file = directory.paths.get(name);
  if (file === undefined) directory.paths.set(name, (file = files.file(`${directory.hostPath}/${name}`)));
  return file;
}

interface Candidate {
  path: string;
  directories: CgroupDirectory[];
  memoryUsageBytes?: number;
  /**
   * The labels of the cgroup's samples ({cgroup, …attribution}), frozen, and the attribution they were
   * made from: reused while the attribution returns the same object, so the samples of every cycle
   * share one labels object per cgroup instead of a new one each cycle.
   */
  labels?: { from: Readonly<Record<string, string>>; labels: Readonly<Record<string, string>> };
  /** The batch (source name) of each family the cgroup's samples go to: fixed for a path, so computed once. */
  batches?: Readonly<Record<Family, string>>;
}

function batchNamesOf(path: string, shards: ReadonlyMap<Family, number>): Record<Family, string> {
  const name = (family: Family): string => {
    const count = shards.get(family) ?? 1;
    return batchSourceName(family, count === 1 ? 0 : shardOf(path, count), count);
  };
  return { memory: name('memory'), cpu: name('cpu'), io: name('io'), pids: name('pids'), pressure: name('pressure') };
}

/** The labels of a candidate's samples for this cycle (see Candidate.labels). */
function labelsOf(candidate: Candidate, attribute: CgroupAttribution): Readonly<Record<string, string>> {
  const attribution = attribute(candidate.path);
  if (candidate.labels?.from !== attribution) candidate.labels = { from: attribution, labels: Object.freeze({ ...attribution, cgroup: candidate.path }) };
  return candidate.labels.labels;
}

/** The families, in publishing order, with a bound on samples per cgroup that sizes their shards. */
const families = [
  { family: 'memory', samplesPerCgroup: 100 }, // v2 memory.stat has ~55 fields on 6.x kernels, plus 8
  { family: 'cpu', samplesPerCgroup: 5 },
  { family: 'io', samplesPerCgroup: 20 }, // 2 per device, 10 devices
  { family: 'pids', samplesPerCgroup: 3 },
  { family: 'pressure', samplesPerCgroup: 12 },
] as const;
type Family = (typeof families)[number]['family'];

const v1Controllers = ['memory', 'cpu,cpuacct', 'cpu', 'cpuacct', 'pids', 'blkio'];

/**
 * The hierarchies to walk: v2 when sys/fs/cgroup has cgroup.controllers; else every v1 controller
 * this source reads (memory, cpu and cpuacct or their co-mount cpu,cpuacct, pids, blkio), plus, on a
 * hybrid host, the v2 hierarchy at sys/fs/cgroup/unified for pressure. No hierarchy → no cgroups.
 */
function hierarchiesOf(files: HostFiles, problems: Problems): Hierarchy[] {
  const root = files.listSync('sys/fs/cgroup', problems);
  if (!root) return [];
  if (root.files.includes('cgroup.controllers')) {
    return [{ hostPath: 'sys/fs/cgroup', version: 2, pressureOnly: false, controllers: new Set(['memory', 'cpu', 'pids', 'blkio', 'pressure']) }];
  }
  const present = new Set(root.directories);
  const hierarchies: Hierarchy[] = [];
  for (const controller of v1Controllers) {
    if (!present.has(controller)) continue;
    // cpu and cpuacct are usually symbolic links to the co-mount (then listed as files, not directories).
    if ((controller === 'cpu' || controller === 'cpuacct') && present.has('cpu,cpuacct')) continue;
    hierarchies.push({ hostPath: `sys/fs/cgroup/${controller}`, version: 1, pressureOnly: false, controllers: new Set(controller.split(',') as Controller[]) });
  }
  if (present.has('unified')) hierarchies.push({ hostPath: 'sys/fs/cgroup/unified', version: 2, pressureOnly: true, controllers: new Set(['pressure']) });
  return hierarchies;
}

/**
 * Every cgroup directory down to maxCgroupDepth, joined across hierarchies by path relative to their
 * roots. Only the first hierarchy is walked whole (v2: the only one; v1: memory when mounted): a
 * cgroup found there is looked up by the same path in the others, whose files are read without
 * listing them (an absent one costs a failed open, a listing costs more). Container runtimes and
 * kubelet create each container in every controller they use, memory included. The others' top
 * levels are listed as well, so a cgroup made in one controller only is found with its subtree
 * when it sits at the top; one nested under a cgroup that the first hierarchy has is not.
 */
function walk(files: HostFiles, hierarchies: readonly Hierarchy[], problems: Problems, paths: { previous: PathsByDirectory; found: PathsByDirectory }): Map<string, CgroupDirectory[]> {
  const found = new Map<string, CgroupDirectory[]>();
  const directoryOf = (hierarchy: Hierarchy, hostPath: string, names: ReadonlySet<string> | undefined): CgroupDirectory => {
    const known = paths.previous.get(hostPath) ?? new Map<string, HostFile>();
    paths.found.set(hostPath, known);
    return { hierarchy, hostPath, files: names, paths: known };
  };
  const [primary, ...others] = hierarchies;
  if (!primary) return found;
  const visit = (hierarchy: Hierarchy, path: string, depth: number): void => {
    const hostPath = depth === 0 ? hierarchy.hostPath : hierarchy.hostPath + path;
    const listing = files.listSync(hostPath, problems);
    if (!listing) return; // removed while walking
    if (depth > 0) {
      const directories = found.get(path);
      const directory = directoryOf(hierarchy, hostPath, new Set(listing.files));
      if (directories) directories.push(directory);
      else found.set(path, [directory]);
    }
    if (depth === maxCgroupDepth) return;
    for (const child of listing.directories) visit(hierarchy, depth === 0 ? `/${child}` : `${path}/${child}`, depth + 1);
  };
  visit(primary, '/', 0);
  for (const [path, directories] of found) {
    for (const hierarchy of others) directories.push(directoryOf(hierarchy, hierarchy.hostPath + path, undefined));
  }
  // The other hierarchies' top level is listed too (a handful of directories): a cgroup made in one
  // controller only, such as `cgcreate -g cpu:/batch`, is found there with its subtree.
  for (const hierarchy of others) {
    for (const child of files.listSync(hierarchy.hostPath, problems)?.directories ?? []) {
      if (!found.has(`/${child}`)) visit(hierarchy, `/${child}`, 1);
    }
  }
  return found;
}

/** The files of cgroup directories (CgroupDirectory.paths) by directory host path, kept from walk to walk. */
type PathsByDirectory = Map<string, Map<string, HostFile>>;

const pressureFiles: Readonly<Record<CgroupPressureResource, string>> = { cpu: 'cpu.pressure', memory: 'memory.pressure', io: 'io.pressure' };

/** What one cycle read of one cgroup. */
interface CgroupReading {
  memory?: CgroupMemory;
  cpu?: CgroupCpu;
  io?: CgroupIo;
  pids?: CgroupPids;
  pressure: Partial<Record<CgroupPressureResource, CgroupPressure>>;
}

/** memory.current (v2) or memory.usage_in_bytes (v1), the ranking key when too many cgroups qualify. */
function readMemoryUsage(files: HostFiles, directories: readonly CgroupDirectory[], problems: Problems): number | undefined {
  for (const directory of directories) {
    const { hierarchy, files: names } = directory;
    if (hierarchy.pressureOnly) continue;
    if (!hierarchy.controllers.has('memory')) continue;
    const file = hierarchy.version === 2 ? 'memory.current' : 'memory.usage_in_bytes';
    if (names !== undefined && !names.has(file)) continue;
    const text = files.readTextSync(fileOf(files, directory, file), problems);
    if (text !== undefined) return parseCount(text, file, problems);
  }
  return undefined;
}

/**
 * Limits and quotas: set when a container starts and seldom changed after, so they are read again
 * only every settingsRefreshCycles cycles (a minute at the default 5 s interval) and remembered in
 * between — a third fewer reads per cgroup each cycle.
 */
const settingFiles = new Set(['memory.limit_in_bytes', 'memory.max', 'cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.max', 'pids.max']);
const settingsRefreshCycles = 12;

/**
 * The hierarchy is walked (listed) every rewalkCycles cycles and the cgroups found are read in the
 * cycles between: a new container is published within three cycles (15 s at the default interval),
 * and a removed one stops at once (its files are gone). Listing every directory is the dearest part
 * of a cycle after the reads themselves.
 */
const rewalkCycles = 3;

/** The remembered settings files of the cgroups seen in the last cycle. */
interface SettingsCache {
  cycle: number;
  texts: Map<HostFile, { text: string | undefined; readAt: number; seenAt: number }>;
}

function readCgroup(files: HostFiles, candidate: Candidate, problems: Problems, settings: SettingsCache): CgroupReading {
  const reading: CgroupReading = { pressure: {} };
  for (const directory of candidate.directories) {
    const { hierarchy, files: names } = directory;
    const readNow = (file: string): string | undefined =>
      (names === undefined || names.has(file) ? files.readTextSync(fileOf(files, directory, file), problems) : undefined);
    const read = (file: string): string | undefined => {
      if (!settingFiles.has(file)) return readNow(file);
      const hostFile = fileOf(files, directory, file);
      const known = settings.texts.get(hostFile);
      if (known && settings.cycle - known.readAt < settingsRefreshCycles) {
        known.seenAt = settings.cycle;
        return known.text;
      }
      const text = readNow(file);
      settings.texts.set(hostFile, { text, readAt: settings.cycle, seenAt: settings.cycle });
      return text;
    };
    const has = (controller: Controller): boolean => hierarchy.controllers.has(controller);
    const v2 = hierarchy.version === 2;
    if (has('pressure')) {
      for (const resource of pressureResources) {
        const file = pressureFiles[resource];
        const text = read(file);
        if (text !== undefined) reading.pressure[resource] = parseCgroupPressure(text, file, problems);
      }
      if (hierarchy.pressureOnly) continue;
    }

    const usageFile = v2 ? 'memory.current' : 'memory.usage_in_bytes';
    if (has('memory') && (names === undefined || names.has(usageFile) || names.has('memory.stat'))) {
      const memory: CgroupMemory = reading.memory ?? { stat: new Map(), events: {} };
      const usageText = candidate.memoryUsageBytes === undefined ? read(usageFile) : undefined;
      memory.usageBytes = candidate.memoryUsageBytes ?? (usageText === undefined ? undefined : parseCount(usageText, usageFile, problems));
      const stat = read('memory.stat');
      if (stat !== undefined) memory.stat = v2 ? parseMemoryStatV2(stat, problems) : parseMemoryStatV1(stat, problems);
      if (v2) {
        const max = read('memory.max');
        if (max !== undefined) memory.limitBytes = parseMemoryMaxV2(max, problems);
        const events = read('memory.events');
        if (events !== undefined) memory.events = parseMemoryEventsV2(events, problems);
      } else {
        const limit = read('memory.limit_in_bytes');
        if (limit !== undefined) memory.limitBytes = parseMemoryLimitV1(limit, problems);
        const failcnt = read('memory.failcnt');
        if (failcnt !== undefined) memory.events.max = parseCount(failcnt, 'memory.failcnt', problems);
        const oomControl = read('memory.oom_control');
        if (oomControl !== undefined) memory.events.oomKill = parseOomControlV1(oomControl, problems);
      }
      reading.memory = memory;
    }

    if (has('cpu') || has('cpuacct')) readCpu(v2, has, read, reading, problems);

    if (v2) {

      const ioStat = read('io.stat');
      if (ioStat !== undefined) reading.io = parseIoStat(ioStat, problems);
    } else if (has('blkio')) {
      // The recursive file (kernels ≥ 4.x) counts descendants too, as v2's io.stat does.
      const serviceBytes = read('blkio.throttle.io_service_bytes_recursive') ?? read('blkio.throttle.io_service_bytes');
      if (serviceBytes !== undefined) reading.io = parseBlkioServiceBytes(serviceBytes, problems);
    }

    const current = has('pids') ? read('pids.current') : undefined;
    if (current !== undefined) {
      const max = read('pids.max');
      const events = read('pids.events');
      reading.pids = {
        current: parseCount(current, 'pids.current', problems),
        limit: max === undefined ? undefined : parsePidsMax(max, problems),
        maxEvents: events === undefined ? undefined : parsePidsEventsMax(events, problems),
      };
    }
  }
  return reading;
}

/** cpu.stat, the quota and (v1) cpuacct.usage of one directory, merged into the cgroup's reading. */
function readCpu(v2: boolean, has: (controller: Controller) => boolean, read: (file: string) => string | undefined, reading: CgroupReading, problems: Problems): void {
  const cpu: CgroupCpu = {};
  const cpuStat = has('cpu') ? read('cpu.stat') : undefined;
  if (cpuStat !== undefined) Object.assign(cpu, withoutUndefined(parseCpuStat(cpuStat, problems)));
  if (v2) {
    const max = read('cpu.max');
    if (max !== undefined) cpu.quotaCores = parseCpuMax(max, problems);
  } else {
    const quota = has('cpu') ? read('cpu.cfs_quota_us') : undefined;
    // No quota (-1): the period does not matter, and is not read.
    const period = quota === undefined || quota.trim() === '-1' ? undefined : read('cpu.cfs_period_us');
    if (quota !== undefined && period !== undefined) cpu.quotaCores = parseCfsQuota(quota, period, problems);
    const usage = has('cpuacct') ? read('cpuacct.usage') : undefined;
    if (usage !== undefined) cpu.usageSeconds = parseCpuacctUsage(usage, problems);
  }
  if (Object.keys(cpu).length > 0) reading.cpu = { ...reading.cpu, ...withoutUndefined(cpu) };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

/**
 * The cgroup source: per-cgroup memory, CPU, I/O, pids and pressure of the cgroups worth publishing
 * (core/cgroup/select.ts), v1, v2 or hybrid. Batches are `cgroup.<family>` or, when the configured
 * bound cannot fit one batch, `cgroup.<family>.<k>` with k = fnv1a32(cgroup path) mod shardCount.
 * Reads are synchronous: a few thousand tiny cgroupfs files cost far less CPU that way than through
 * the thread pool. Stateless: every value is the kernel's own counter or gauge.
 */
export function cgroupSource(options: CgroupSourceOptions = {}): Source {
  const maxCgroups = options.maxCgroups ?? defaultMaxCgroups;
  const attribute = options.attribute ?? noAttribution;
  const shards = new Map<Family, number>(families.map(({ family, samplesPerCgroup }) => [family, shardCount(maxCgroups, samplesPerCgroup)]));
  const settings: SettingsCache = { cycle: 0, texts: new Map() };
  let walked: { cycle: number; candidates: Candidate[] } | undefined;
  let paths: PathsByDirectory = new Map();

  return {
    name: 'cgroup',
    async collect({ files, problems }) {
      if (!walked || settings.cycle - walked.cycle >= rewalkCycles) {
        const hierarchies = hierarchiesOf(files, problems);
        const found: Candidate[] = [];
        const walkedPaths: PathsByDirectory = new Map(); // the directories found now: gone cgroups' paths are dropped
        const before = new Map(walked?.candidates.map((candidate) => [candidate.path, candidate]));
        for (const [path, directories] of hierarchies.length === 0 ? [] : walk(files, hierarchies, problems, { previous: paths, found: walkedPaths })) {
          if (isPublishedCgroup(path)) found.push({ path, directories, labels: before.get(path)?.labels, batches: before.get(path)?.batches });
        }
        // Cgroups gone since the last walk: their kept files are closed now.
        paths.forEach((known, hostPath) => {
          if (!walkedPaths.has(hostPath)) known.forEach((file) => files.forget(file));
        });
        paths = walkedPaths;
        walked = { cycle: settings.cycle, candidates: found };
      }
      const candidates = walked.candidates;
      if (candidates.length === 0) {
        settings.cycle++;
        return [];
      }
      for (const candidate of candidates) candidate.memoryUsageBytes = undefined;
      if (candidates.length > maxCgroups) {
        for (const candidate of candidates) candidate.memoryUsageBytes = readMemoryUsage(files, candidate.directories, problems);
        problems.report(`more than ${maxCgroups} cgroups qualify: publishing the ${maxCgroups} with the most memory`);
      }

      const out = new Map<string, Sample[]>();
      const samplesOf = (family: Family, candidate: Candidate): Sample[] => {
        candidate.batches ??= batchNamesOf(candidate.path, shards);
        const name = candidate.batches[family];
        let samples = out.get(name);
        if (!samples) out.set(name, (samples = []));
        return samples;
      };
      for (const candidate of selectCgroups(candidates, maxCgroups)) {
        const { path } = candidate;
        const cgroupProblems: Problems = { report: (problem) => problems.report(`${path}: ${problem}`) };
        const reading = readCgroup(files, candidate, cgroupProblems, settings);
        const labels = labelsOf(candidate, attribute);
        if (reading.memory) memorySamples(reading.memory, labels, samplesOf('memory', candidate));
        if (reading.cpu) cpuSamples(reading.cpu, labels, samplesOf('cpu', candidate));
        if (reading.io) ioSamples(reading.io, labels, samplesOf('io', candidate));
        if (reading.pids) pidsSamples(reading.pids, labels, samplesOf('pids', candidate));
        for (const resource of pressureResources) {
          const pressure = reading.pressure[resource];
          if (pressure) pressureSamples(resource, pressure, labels, samplesOf('pressure', candidate));
        }
      }

      for (const [file, known] of settings.texts) if (known.seenAt !== settings.cycle) settings.texts.delete(file); // gone cgroups
      settings.cycle++;

      const batches: SourceBatch[] = [];
      for (const { family } of families) {
        const count = shards.get(family) ?? 1;
        for (let shard = 0; shard < count; shard++) {
          const source = batchSourceName(family, shard, count);
          const samples = out.get(source);
          if (!samples || samples.length === 0) continue;
          if (samples.length > maxSamplesPerBatch) problems.report(`${source} has ${samples.length} samples, more than ${maxSamplesPerBatch}`);
          batches.push({ source, samples });
        }
      }
      return batches;
    },
  };
}
