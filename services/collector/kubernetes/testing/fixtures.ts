/**
 * Real API objects for the tests, from test/fixtures/k8s (sources in its README.md).
 *
 * datagenPods(): the pods of the one-node Kubernetes v1.35 cluster `datagen-1-35` (containerd 2.2.1,
 * cgroupfs driver) as `kubectl get pods -A -o yaml` printed them from the API. What we change, and
 * why: YAML is read back into the JSON objects the API sent (kubectl only re-encodes); the per-item
 * `kind`/`apiVersion` that kubectl adds are dropped, because the API leaves them out of list items
 * (the fake server adds them back in watch events, where the API sends them). Nothing else: node
 * names, UIDs and containerIDs are as recorded, and they match the cgroup paths the same node's
 * cAdvisor reported (test/fixtures/k8s/exposition/...), so no adaptation is needed for them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ApiObject } from './fake-kube-api.js';

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/k8s');
export const datagenNode = 'datagen-1-35';

export function datagenPods(): ApiObject[] {
  const list = parse(readFileSync(path.join(fixtures, 'nri-kubernetes-1_35/pods.yaml'), 'utf8')) as { kind: string; items: ApiObject[] };
  return list.items.map(({ kind: _kind, apiVersion: _apiVersion, ...pod }) => pod as ApiObject);
}

export function supportBundle(file: string): ApiObject[] {
  const list = JSON.parse(readFileSync(path.join(fixtures, 'troubleshoot/support-bundle/cluster-resources', file), 'utf8')) as { items: ApiObject[] };
  return list.items;
}

/** The `container_memory_working_set_bytes` series of datagen-1-35's kubelet /metrics/cadvisor: cAdvisor's own cgroup → pod mapping. */
export function cadvisorSeries(): { id: string; namespace: string; pod: string; container: string; name: string; image: string }[] {
  const text = readFileSync(path.join(fixtures, 'exposition/nri-kubernetes-1_35/kubelet/metrics/cadvisor.working-set'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
      return { id: labels.id ?? '', namespace: labels.namespace ?? '', pod: labels.pod ?? '', container: labels.container ?? '', name: labels.name ?? '', image: labels.image ?? '' };
    });
}
