/**
 * Which pod (and container) a cgroup path names, read from the path alone: no cluster, no I/O.
 *
 * The kubelet names pod cgroups after the pod UID and the QoS class; the runtime names container
 * cgroups after the container id:
 * - cgroupfs driver: `/kubepods/burstable/pod<uid>/<id>`, `/kubepods/pod<uid>/<id>` (Guaranteed);
 *   CRI-O adds its prefix: `/kubepods/besteffort/pod<uid>/crio-<id>`.
 * - systemd driver: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with _>.slice/`
 *   then `cri-containerd-<id>.scope`, `crio-<id>.scope` or `docker-<id>.scope` (cri-dockerd).
 * - runc's `slice:prefix:name` form, which shows up unexpanded when the runtime could not reach
 *   systemd (kind, youki): `.../kubepods-besteffort-pod<uid>.slice:cri-containerd:<id>`.
 * - any prefix before the kubelet's tree (a kind node's `/kubelet.slice/kubelet-kubepods.slice/...`,
 *   minikube's `/docker/<node id>/kubepods.slice/...`) and any nesting below the container.
 */

export type ContainerRuntime = 'containerd' | 'cri-o' | 'docker';
export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export interface CgroupIdentity {
  /** metadata.uid of the pod, or for a static pod the kubelet's config hash (32 hex digits) that its mirror pod carries in `kubernetes.io/config.mirror`. */
  podUid: string;
  /** 64 hex digits; absent for the pod-level cgroup and for CRI-O's conmon (the runtime's monitor, charged to the pod but not a container). */
  containerId?: string;
  /** Known only when the runtime put its prefix in the name (cgroupfs containerd and Docker use the bare id). */
  runtime?: ContainerRuntime;
  qosClass?: QosClass;
}

const podUidPattern = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/;
const cgroupfsPodPattern = /^pod([0-9a-f-]+)$/;
/** `kubepods-burstable-pod<uid>.slice`, with any prefix (kind's `kubelet-kubepods-...`); systemd escapes '-' in the uid as '_'. */
const systemdPodPattern = /^(?:.+-)?kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]+)\.slice$/;
const containerPatterns: { pattern: RegExp; runtime?: ContainerRuntime; isContainer: boolean }[] = [
  { pattern: /^cri-containerd-([0-9a-f]{64})\.scope$/, runtime: 'containerd', isContainer: true },
  { pattern: /^crio-conmon-([0-9a-f]{64})(?:\.scope)?$/, runtime: 'cri-o', isContainer: false },
  { pattern: /^crio-([0-9a-f]{64})(?:\.scope)?$/, runtime: 'cri-o', isContainer: true },
  { pattern: /^docker-([0-9a-f]{64})\.scope$/, runtime: 'docker', isContainer: true },
  { pattern: /^([0-9a-f]{64})$/, isContainer: true },
];
const runcPrefixRuntimes: Record<string, ContainerRuntime> = { 'cri-containerd': 'containerd', crio: 'cri-o', docker: 'docker' };
/** A line of /proc/<pid>/cgroup: `hierarchy-id:controllers:path` (v1) or `0::path` (v2). */
const procCgroupLine = /^\d+:[^:]*:(\/.*)$/;

/**
 * The pod and container a cgroup path belongs to, or undefined for a cgroup that is not a pod's
 * (`/system.slice/sshd.service`, `/docker/<id>`). Accepts a path relative to the hierarchy root, a
 * full /sys/fs/cgroup/... path or a /proc/<pid>/cgroup line. With several pod levels (a kind node
 * inside a pod) the innermost pod wins: it is the one this node's kubelet runs.
 */
export function cgroupIdentity(cgroupPath: string): CgroupIdentity | undefined {
  const path = procCgroupLine.exec(cgroupPath.trim())?.[1] ?? cgroupPath.trim();
  const segments = path.split('/').filter((segment) => segment !== '');
  for (let index = segments.length - 1; index >= 0; index--) {
    const segment = segments[index] as string;
    const runcForm = segment.split(':');
    if (runcForm.length === 3) {
      const [slice, prefix, name] = runcForm as [string, string, string];
      const pod = systemdPod(slice);
      if (!pod) continue;
      const runtime = runcPrefixRuntimes[prefix];
      return /^[0-9a-f]{64}$/.test(name) ? { ...pod, containerId: name, ...(runtime ? { runtime } : {}) } : pod;
    }
    const pod = systemdPod(segment) ?? cgroupfsPod(segment, segments[index - 1]);
    if (!pod) continue;
    const child = segments[index + 1];
    return child === undefined ? pod : { ...pod, ...container(child) };
  }
  return undefined;
}

function systemdPod(segment: string): CgroupIdentity | undefined {
  const match = systemdPodPattern.exec(segment);
  if (!match) return undefined;
  const podUid = (match[2] as string).replaceAll('_', '-');
  if (!podUidPattern.test(podUid)) return undefined;
  return { podUid, qosClass: qosClassOf(match[1]) };
}

/** `pod<uid>` under `kubepods` (Guaranteed) or under its `burstable` / `besteffort` child. */
function cgroupfsPod(segment: string, parent: string | undefined): CgroupIdentity | undefined {
  const match = cgroupfsPodPattern.exec(segment);
  if (!match || !podUidPattern.test(match[1] as string)) return undefined;
  if (parent === 'kubepods') return { podUid: match[1] as string, qosClass: 'Guaranteed' };
  if (parent === 'burstable' || parent === 'besteffort') return { podUid: match[1] as string, qosClass: qosClassOf(parent) };
  return undefined;
}

function qosClassOf(name: string | undefined): QosClass {
  if (name === 'burstable') return 'Burstable';
  if (name === 'besteffort') return 'BestEffort';
  return 'Guaranteed';
}

function container(segment: string): Pick<CgroupIdentity, 'containerId' | 'runtime'> {
  for (const { pattern, runtime, isContainer } of containerPatterns) {
    const match = pattern.exec(segment);
    if (!match) continue;
    return { ...(isContainer ? { containerId: match[1] as string } : {}), ...(runtime ? { runtime } : {}) };
  }
  return {};
}
