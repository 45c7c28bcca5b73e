/**
 * The collector's CgroupAttribution backed by the cgroup path and a PodDirectory: pod_uid and
 * container_id come from the path alone (so they are there without a cluster), namespace, pod,
 * container, owner_kind and owner_name from the directory when it knows the pod.
 */
import type { CgroupAttribution } from '../attribution.js';
import { cgroupIdentity } from './cgroup-identity.js';
import type { PodDirectory } from './pod-directory.js';

export interface AttributionOptions {
  /** Paths remembered (least recently used forgotten first); a node has a few hundred cgroups. */
  maxCachedPaths?: number;
}

const none: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Labels for a cgroup path, cached per path; an entry is recomputed when the directory changed since
 * (a pod added by the watch gains its names at the next call, a deleted one loses them).
 */
export function attributionFor(directory: PodDirectory | undefined, options: AttributionOptions = {}): CgroupAttribution {
  const maxCachedPaths = options.maxCachedPaths ?? 4096;
  const cache = new Map<string, { generation: number; labels: Readonly<Record<string, string>> }>();
  return (cgroupPath) => {
    const generation = directory?.generation() ?? 0;
    const cached = cache.get(cgroupPath);
    if (cached) {
      cache.delete(cgroupPath);
      cache.set(cgroupPath, cached);
      if (cached.generation === generation) return cached.labels;
    }
    const labels = labelsOf(cgroupPath, directory);
    cache.set(cgroupPath, { generation, labels });
    if (cache.size > maxCachedPaths) cache.delete(cache.keys().next().value as string);
    return labels;
  };
}

function labelsOf(cgroupPath: string, directory: PodDirectory | undefined): Readonly<Record<string, string>> {
  const identity = cgroupIdentity(cgroupPath);
  if (!identity) return none;
  const labels: Record<string, string> = { pod_uid: identity.podUid };
  if (identity.containerId) labels.container_id = identity.containerId;
  const pod = directory?.lookup(identity.podUid, identity.containerId);
  if (pod) {
    labels.namespace = pod.namespace;
    labels.pod = pod.pod;
    if (pod.container) labels.container = pod.container;
    if (pod.ownerKind && pod.ownerName) {
      labels.owner_kind = pod.ownerKind;
      labels.owner_name = pod.ownerName;
    }
  }
  return Object.freeze(labels);
}
