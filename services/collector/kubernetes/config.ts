/**
 * Settings of Kubernetes attribution, a fragment of the collector's config schema, and the
 * KubeConfig they select.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import path from 'node:path';
import { z } from 'zod';
import { VigilError } from '../../../src/errors.js';
import { loadKubeClient } from './kube-client.js';

export const kubernetesConfigSchema = z.object({
  VIGIL_KUBECONFIG: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('Path of a kubeconfig file for the Kubernetes API; when unset: the pod service account if running in a pod, else KUBECONFIG, else no cluster (pods are then named by UID only)'),
  VIGIL_KUBERNETES: z
    .enum(['auto', 'off'])
    .default('auto')
    .describe('auto: name pods, containers and owners from the Kubernetes API when one is configured; off: never call the API (labels pod_uid and container_id only)'),
  VIGIL_KUBE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(5000)
    .describe('Deadline in milliseconds of each Kubernetes API request (the pod list, a watch until its headers arrive, each capture request)'),
});

export type KubernetesConfig = z.infer<typeof kubernetesConfigSchema>;

/**
 * The KubeConfig to use, or undefined when there is no cluster to talk to. An explicit
 * VIGIL_KUBECONFIG wins; then the pod's service account (KUBERNETES_SERVICE_HOST set); then the first
 * file in KUBECONFIG. ~/.kube/config is not read: a collector on a laptop should not attach to
 * whichever cluster kubectl last used. A named file that cannot be loaded is a configuration error.
 * (`env` decides; in a pod, client-node reads KUBERNETES_SERVICE_HOST/PORT from process.env itself.)
 * The client is loaded only when there is a cluster (kube-client.ts).
 */
export async function kubeConfigFrom(config: KubernetesConfig, env: NodeJS.ProcessEnv = process.env): Promise<KubeConfig | undefined> {
  if (config.VIGIL_KUBERNETES === 'off') return undefined;
  if (config.VIGIL_KUBECONFIG) return loadFile(config.VIGIL_KUBECONFIG, 'VIGIL_KUBECONFIG');
  if (env.KUBERNETES_SERVICE_HOST) {
    const { KubeConfig } = await loadKubeClient();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  const fromEnv = env.KUBECONFIG?.split(path.delimiter).find((file) => file.trim() !== '');
  return fromEnv ? loadFile(fromEnv, 'KUBECONFIG') : undefined;
}

async function loadFile(file: string, variable: string): Promise<KubeConfig> {
  const { KubeConfig } = await loadKubeClient();
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(file);
  } catch (error) {
    throw new VigilError('VIGIL_CONFIG', `${variable}=${file}: cannot load the kubeconfig: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return kubeConfig;
}
