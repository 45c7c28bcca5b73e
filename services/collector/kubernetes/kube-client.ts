/**
 * The part of @kubernetes/client-node Vigil uses (KubeConfig, CoreV1Api, setHeaderMiddleware),
 * loaded on demand. The package costs a process 76–89 MB of RSS once imported: `KubeConfig` alone
 * pulls in the generated index of every API and model. `npm run build:kube-client` (part of
 * `prepare`, so `npm ci` runs it) bundles just these exports with esbuild, tree-shaken, into
 * dist/kube-client.mjs, which costs about 20 MB. Without the bundle the package itself is loaded.
 * Every caller goes through here, so one process never mixes classes of the two.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as ClientNode from '@kubernetes/client-node';

export type KubeClient = Pick<typeof ClientNode, 'KubeConfig' | 'CoreV1Api' | 'setHeaderMiddleware'>;

export const kubeClientBundle = fileURLToPath(new URL('./dist/kube-client.mjs', import.meta.url));

let loading: Promise<KubeClient> | undefined;

export function loadKubeClient(): Promise<KubeClient> {
  loading ??= existsSync(kubeClientBundle)
    ? (import(kubeClientBundle) as Promise<KubeClient>)
    : import('@kubernetes/client-node');
  return loading;
}
