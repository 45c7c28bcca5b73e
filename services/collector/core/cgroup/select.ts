/**
 * Which cgroups are published, and in which batch. Pure: paths in, paths and batch names out.
 *
 * A cgroup is published when it is at most maxCgroupDepth levels below the hierarchy root and is
 * either a top-level cgroup (/kubepods, /docker, /system.slice, /user.slice, …: the node's
 * partitions) or is named like something a user runs: a systemd unit (*.slice, *.service,
 * *.scope — which covers docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>.scope,
 * libpod-<id>.scope and session scopes), a Kubernetes QoS class or pod (burstable, besteffort,
 * pod<uid>), or a container id (64 hex digits: /docker/<id>, /kubepods/burstable/pod<uid>/<id>).
 * Other cgroups below the top level (an application's own sub-cgroups) are walked but not
 * published. The root is never published: the node-wide proc.* sources cover it.
 */
export const maxCgroupDepth = 5;

/** Default bound on published cgroups per cycle; when more qualify, the largest by memory usage win. */
export const defaultMaxCgroups = 1000;

/** Samples per metrics.raw record the collector promises (source.ts). */
export const maxSamplesPerBatch = 5000;

const unitPattern = /\.(?:slice|service|scope)$/;
const kubernetesPattern = /^(?:kubepods|burstable|besteffort|guaranteed|pod[0-9a-f]{8}[-_]?[0-9a-f]{4}[-_]?[0-9a-f]{4}[-_]?[0-9a-f]{4}[-_]?[0-9a-f]{12})$/i;
const containerIdPattern = /^[0-9a-f]{64}$/;

/** Number of levels below the root: "/" → 0, "/kubepods" → 1, "/kubepods/burstable/pod…/…" → 4. */
export function cgroupDepth(path: string): number {
  if (path === '/') return 0;
  let depth = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) depth++;
  return depth;
}

/** Whether a cgroup path (relative to its hierarchy root, "/a/b") is worth publishing (see above). */
export function isPublishedCgroup(path: string): boolean {
  const depth = cgroupDepth(path);
  if (depth === 0 || depth > maxCgroupDepth) return false;
  if (depth === 1) return true;
  const name = path.slice(path.lastIndexOf('/') + 1);
  return unitPattern.test(name) || kubernetesPattern.test(name) || containerIdPattern.test(name);
}

/**
 * At most `max` of the candidates: all of them when they fit, else the `max` with the most memory
 * (a cgroup without a memory reading counts as 0), ties by path so the choice is stable. Returned in
 * path order.
 */
export function selectCgroups<C extends { path: string; memoryUsageBytes?: number }>(candidates: readonly C[], max: number): C[] {
  const byPath = (a: C, b: C): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  if (candidates.length <= max) return [...candidates].sort(byPath);
  return [...candidates]
    .sort((a, b) => (b.memoryUsageBytes ?? 0) - (a.memoryUsageBytes ?? 0) || byPath(a, b))
    .slice(0, Math.max(0, max))
    .sort(byPath);
}

/**
 * How many batches a family is split into: enough that maxCgroups cgroups at samplesPerCgroup each
 * fill every shard to at most half of maxSamplesPerBatch (the other half absorbs hash imbalance).
 * It depends on configuration only, never on how many cgroups a cycle found, so a cgroup's batch
 * (and source name) does not change as containers come and go.
 */
export function shardCount(maxCgroups: number, samplesPerCgroup: number): number {
  return Math.max(1, Math.ceil((maxCgroups * samplesPerCgroup) / (maxSamplesPerBatch / 2)));
}

/** FNV-1a (32 bit) of the path's UTF-16 code units, mod count: a cgroup's shard, the same on every node and run. */
export function shardOf(path: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    hash ^= path.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

/** `cgroup.memory` when the family has one shard, else `cgroup.memory.<k>`. */
export function batchSourceName(family: string, shard: number, count: number): string {
  return count === 1 ? `cgroup.${family}` : `cgroup.${family}.${shard}`;
}
