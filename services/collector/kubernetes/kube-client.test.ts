import { existsSync } from 'node:fs';
import { expect, test } from 'vitest';
import { kubeClientBundle, loadKubeClient } from './kube-client.js';

test('the services load the tree-shaken bundle of @kubernetes/client-node (npm ci builds it), and it talks to a cluster config', async () => {
  expect(existsSync(kubeClientBundle), `${kubeClientBundle} is missing: npm run build:kube-client (npm ci runs it through prepare)`).toBe(true);
  const client = await loadKubeClient();
  const whole = await import('@kubernetes/client-node');
  expect(client.KubeConfig).not.toBe(whole.KubeConfig);
  expect(await loadKubeClient()).toBe(client);

  const kubeConfig = new client.KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://10.0.0.1:6443', skipTLSVerify: false }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  expect(kubeConfig.getCurrentCluster()?.server).toBe('https://10.0.0.1:6443');
  expect(typeof kubeConfig.makeApiClient(client.CoreV1Api).listPodForAllNamespaces).toBe('function');
});
