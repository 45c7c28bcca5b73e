import { describe, expect, test } from 'vitest';
import { cgroupIdentity, type CgroupIdentity } from './cgroup-identity.js';
import { cadvisorSeries } from './testing/fixtures.js';

// Every path is a real one; the third column says where it was seen.
const cases: [flavour: string, path: string, source: string, expected: CgroupIdentity | undefined][] = [
  // cgroupfs driver, containerd (bare ids), cgroup v2: kubelet /metrics/cadvisor of datagen-1-35
  // (test/fixtures/k8s/exposition/nri-kubernetes-1_35).
  ['cgroupfs burstable container', '/kubepods/burstable/pod3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4/77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83', 'cAdvisor datagen-1-35', { podUid: '3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4', containerId: '77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83', qosClass: 'Burstable' }],
  ['cgroupfs besteffort container', '/kubepods/besteffort/pod081d040e-c94b-41ea-8278-eb12903ddd99/8089c78683adb7999a9399e140e2e4f61e57877f0e72324fb7eba6cc194dbf61', 'cAdvisor datagen-1-35', { podUid: '081d040e-c94b-41ea-8278-eb12903ddd99', containerId: '8089c78683adb7999a9399e140e2e4f61e57877f0e72324fb7eba6cc194dbf61', qosClass: 'BestEffort' }],
  ['cgroupfs guaranteed container (no QoS level)', '/kubepods/podebb73de1-03ec-4c34-bda3-bb8a44f01c2b/d8d42efd0bf1d231a739597470d876aba084f8480722678ccd5fef8df5cbce10', 'cAdvisor datagen-1-35', { podUid: 'ebb73de1-03ec-4c34-bda3-bb8a44f01c2b', containerId: 'd8d42efd0bf1d231a739597470d876aba084f8480722678ccd5fef8df5cbce10', qosClass: 'Guaranteed' }],
  ['cgroupfs pod level', '/kubepods/burstable/pod3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4', 'cAdvisor datagen-1-35', { podUid: '3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4', qosClass: 'Burstable' }],
  ['cgroupfs static pod (config hash as uid)', '/kubepods/burstable/pod07bd11a0a13dfe5450a17a39eb8e32d2/898d75812ec6f153cfb46b6cb485c02bffe26643ae6f61323a76a71de8954178', 'cAdvisor datagen-1-35', { podUid: '07bd11a0a13dfe5450a17a39eb8e32d2', containerId: '898d75812ec6f153cfb46b6cb485c02bffe26643ae6f61323a76a71de8954178', qosClass: 'Burstable' }],
  ['cgroupfs, from a kernel OOM report (task_memcg=)', '/kubepods/burstable/podfbdfe8e3-1c87-4ff2-907c-b2ec8e25d012/ef807430361e6e82b45db92e2e9b6fbec98f419b12c591e655c1a725565e73a8', 'shared/data/kmsg/cadvisor-oomparser/05-constraint-memcg-kubepods-line.log (cAdvisor)', { podUid: 'fbdfe8e3-1c87-4ff2-907c-b2ec8e25d012', containerId: 'ef807430361e6e82b45db92e2e9b6fbec98f419b12c591e655c1a725565e73a8', qosClass: 'Burstable' }],
  ['cgroupfs docker (v1, under the memory controller mount)', '/sys/fs/cgroup/cpu/kubepods/burstable/pod941dc160-92df-11e7-b27e-507b9d4141fa/2b4d747eae5ed34775c069d913c81833b67a0148e731a36535c9f3b97ebfb87f/', 'cri-o/cri-o#842 (kubelet cgroupfs + docker cgroupfs)', { podUid: '941dc160-92df-11e7-b27e-507b9d4141fa', containerId: '2b4d747eae5ed34775c069d913c81833b67a0148e731a36535c9f3b97ebfb87f', qosClass: 'Burstable' }],
  ['cgroupfs CRI-O (crio- prefix, no .scope)', '/kubepods/besteffort/pod2ca4a155-3599-498d-bb9d-4446693fa3ea/crio-358607a37e7ada357032e7f5729c9ae6a3efdb7962acbcbe47ff6a3c5506cb1c', "cri-o internal/config/cgmgr/cgroupfs.go: filepath.Join(parent, \"crio-\"+id); ids from kubernetes/minikube#11280", { podUid: '2ca4a155-3599-498d-bb9d-4446693fa3ea', containerId: '358607a37e7ada357032e7f5729c9ae6a3efdb7962acbcbe47ff6a3c5506cb1c', runtime: 'cri-o', qosClass: 'BestEffort' }],

  // systemd driver.
  ['systemd containerd (v1 tree, EKS)', '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice/cri-containerd-1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496.scope', 'shared/data/cgroup/elastic/amzn2 (Amazon Linux 2 EKS node)', { podUid: '7a96c459-d529-44ae-9f99-90d3798d6426', containerId: '1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496', runtime: 'containerd', qosClass: 'Burstable' }],
  ['/proc/<pid>/cgroup v1 line (memory controller)', '11:memory:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice/cri-containerd-1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496.scope', 'shared/data/cgroup/elastic/amzn2/proc/493239/cgroup', { podUid: '7a96c459-d529-44ae-9f99-90d3798d6426', containerId: '1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496', runtime: 'containerd', qosClass: 'Burstable' }],
  ['/proc/<pid>/cgroup v1 line (comma-joined controllers)', '5:cpu,cpuacct:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice/cri-containerd-1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496.scope', 'shared/data/cgroup/elastic/amzn2/proc/493239/cgroup', { podUid: '7a96c459-d529-44ae-9f99-90d3798d6426', containerId: '1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496', runtime: 'containerd', qosClass: 'Burstable' }],
  ['/proc/<pid>/cgroup v2 line of the same process (outside any pod in v2)', '0::/', 'shared/data/cgroup/elastic/amzn2/proc/493239/cgroup', undefined],
  ['systemd CRI-O container', '13:freezer:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda5c1f8d5_1919_434d_add7_4afaafdaef89.slice/crio-5eed917563583925ffdbd40a64efb2aaffe58638e57add8becaf460fe74f5b1c.scope', 'opencontainers/runc#4620 (/proc/21689/cgroup)', { podUid: 'a5c1f8d5-1919-434d-add7-4afaafdaef89', containerId: '5eed917563583925ffdbd40a64efb2aaffe58638e57add8becaf460fe74f5b1c', runtime: 'cri-o', qosClass: 'Burstable' }],
  ['systemd CRI-O conmon (not a container)', '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod207aaad1_659f_4db8_88e0_46e0cdcc3004.slice/crio-conmon-32da98c8522068be05a7510a3eddb09cad6ed2f03286180d0e931d0d0b6224a6.scope', 'opencontainers/runc#4620 (systemctl status crio-conmon-...)', { podUid: '207aaad1-659f-4db8-88e0-46e0cdcc3004', runtime: 'cri-o', qosClass: 'Burstable' }],
  ['systemd Docker container (cri-dockerd)', '/sys/fs/cgroup/cpu/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod90d81341_92de_11e7_8cf2_507b9d4141fa.slice/docker-2227daf62df6694645fee5df53c1f91271546a9560e8600a525690ae252b7f63.scope/', 'cri-o/cri-o#842 (kubelet systemd + docker systemd)', { podUid: '90d81341-92de-11e7-8cf2-507b9d4141fa', containerId: '2227daf62df6694645fee5df53c1f91271546a9560e8600a525690ae252b7f63', runtime: 'docker', qosClass: 'Burstable' }],
  ['systemd besteffort Docker (pause)', '/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod9692aa0e_748e_11e8_8dfa_76d458035df6.slice/docker-f58c1c55e72c336d11c6af795260b57f7597d62e4d16951086f754d2e9ce5114.scope', 'kontena/pharos-cluster#440 (systemd-cgls)', { podUid: '9692aa0e-748e-11e8-8dfa-76d458035df6', containerId: 'f58c1c55e72c336d11c6af795260b57f7597d62e4d16951086f754d2e9ce5114', runtime: 'docker', qosClass: 'BestEffort' }],
  ['systemd guaranteed container (no QoS slice)', '/kubepods.slice/kubepods-podd0d034ed_5204_11e7_9710_507b9d27b5d9.slice/docker-a91b1981b6a4ae463fccd273e3f8665fd911e9abcaa1af27de773afb17ec4344.scope', 'Go test TestCGroupParentExtraction, found by code search (repository not identified)', { podUid: 'd0d034ed-5204-11e7-9710-507b9d27b5d9', containerId: 'a91b1981b6a4ae463fccd273e3f8665fd911e9abcaa1af27de773afb17ec4344', runtime: 'docker', qosClass: 'Guaranteed' }],
  ['systemd static pod (config hash) with containerd', '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod187bff14cccb94f179e943eacce55bb3.slice/cri-containerd-c203a2647ef1ad78e990157c50331f3b6ef0b03336cf08535d6bf7faa5421415.scope', 'netdata/netdata#4868 (tree listing)', { podUid: '187bff14cccb94f179e943eacce55bb3', containerId: 'c203a2647ef1ad78e990157c50331f3b6ef0b03336cf08535d6bf7faa5421415', runtime: 'containerd', qosClass: 'Burstable' }],
  ['systemd pod level', '/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podc8bad552_5c99_4d4f_b71c_c426c0cde014.slice', 'openshift/microshift#697 (systemd-cgls)', { podUid: 'c8bad552-5c99-4d4f-b71c-c426c0cde014', qosClass: 'BestEffort' }],

  // Prefixed and nested trees.
  ['kind node: kubelet.slice prefix', '/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod1e597579_417e_482f_bf65_5fe170c3aebd.slice/cri-containerd-a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e.scope', 'containerd/nri#227 (kind worker, absolutePath)', { podUid: '1e597579-417e-482f-bf65-5fe170c3aebd', containerId: 'a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e', runtime: 'containerd', qosClass: 'BestEffort' }],
  ['runc slice:prefix:name under containerd.service', '/system.slice/containerd.service/kubelet-kubepods-besteffort-pod1e597579_417e_482f_bf65_5fe170c3aebd.slice:cri-containerd:a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e', 'containerd/nri#227 relativePath, as runc leaves it under the runtime cgroup; format from containerd/cri#290', { podUid: '1e597579-417e-482f-bf65-5fe170c3aebd', containerId: 'a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e', runtime: 'containerd', qosClass: 'BestEffort' }],
  ['runc slice:prefix:name at the root', '/kubepods-besteffort-podb7c2cbdb_9ab5_47ef_977e_97e39a73da6d.slice:cri-containerd:66dda1e97c4fc48204b066f07fc1e28bab94a571820484e01576982d4cb9d32b', 'containerd/runwasi#821 (youki)', { podUid: 'b7c2cbdb-9ab5-47ef-977e-97e39a73da6d', containerId: '66dda1e97c4fc48204b066f07fc1e28bab94a571820484e01576982d4cb9d32b', runtime: 'containerd', qosClass: 'BestEffort' }],
  ['minikube: kubepods inside the node container /docker/<id>', '/docker/d6701ec289c56e4391acb11d07474b3139466857a305490575508a8b7a9fcf22/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod2ca4a155_3599_498d_bb9d_4446693fa3ea.slice/crio-0ba8ac17e4e7a31fb82279503552fe94e64bab4745bf6fd2ff231e7c8ca8bed0.scope', 'kubernetes/minikube#11280', { podUid: '2ca4a155-3599-498d-bb9d-4446693fa3ea', containerId: '0ba8ac17e4e7a31fb82279503552fe94e64bab4745bf6fd2ff231e7c8ca8bed0', runtime: 'cri-o', qosClass: 'BestEffort' }],
  ['a cgroup nested inside a container', '/kubepods/burstable/pod3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4/77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83/init.scope', 'the cAdvisor path above plus a child, as systemd in a container creates', { podUid: '3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4', containerId: '77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83', qosClass: 'Burstable' }],

  // Not a pod's.
  ['the kubepods root', '/kubepods', 'cAdvisor datagen-1-35', undefined],
  ['a QoS level', '/kubepods.slice/kubepods-burstable.slice', 'shared/data/cgroup/elastic/amzn2', undefined],
  ['a system service', '/system.slice/kubelet.service', 'cAdvisor datagen-1-35', undefined],
  ['a plain Docker container (v1)', '/docker/b29faf21b7eff959f64b4192c34d5d67a707fe8561e9eaa608cb27693fba4242', 'shared/data/cgroup/elastic/docker', undefined],
  ['a plain Docker container (v2)', '/system.slice/docker-1c8fa019edd4b9d4b2856f4932c55929c5c118c808ed5faee9a135ca6e84b039.scope', 'shared/data/cgroup/elastic/docker', undefined],
  ['a login session', '0::/../../user-1000.slice/session-520.scope', 'shared/data/cgroup/elastic/docker2/proc/2233801/cgroup', undefined],
  ['a pod directory with a malformed uid', '/kubepods/burstable/podnot-a-uid/77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83', 'negative case', undefined],
];

describe('cgroupIdentity', () => {
  test.each(cases)('%s', (_flavour, path, _source, expected) => {
    expect(cgroupIdentity(path)).toEqual(expected);
  });

  test("every kubepods cgroup cAdvisor reported on datagen-1-35 yields the pod cAdvisor named", () => {
    const series = cadvisorSeries().filter((entry) => /^\/kubepods\/.*pod/.test(entry.id));
    expect(series.length).toBeGreaterThan(40);
    for (const entry of series) {
      const identity = cgroupIdentity(entry.id);
      expect(identity, entry.id).toBeDefined();
      // cAdvisor names a container cgroup by its id (`name` label); a pod-level cgroup has no name.
      expect(identity?.containerId ?? '', entry.id).toBe(entry.name);
    }
  });
});
