/**
 * Which pod and container a cgroup belongs to, as labels: pod_uid, container_id, namespace, pod,
 * container, owner_kind, owner_name (whichever are known). Empty for a cgroup that is not a pod's
 * (system.slice/sshd.service). The cgroup and process sources call it with the cgroup path as the
 * kernel shows it (/kubepods/burstable/pod<uid>/<id>, /kubepods.slice/.../cri-containerd-<id>.scope),
 * relative to the hierarchy root; services/collector/kubernetes/ provides the real one.
 */
export type CgroupAttribution = (cgroupPath: string) => Readonly<Record<string, string>>;

const noLabels: Readonly<Record<string, string>> = Object.freeze({});

/** No pod labels for any cgroup (one frozen empty object, so callers may keep what they derive from it). */
export const noAttribution: CgroupAttribution = () => noLabels;
