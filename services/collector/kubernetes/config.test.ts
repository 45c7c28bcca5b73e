import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { describeConfig, loadConfig } from '../../../src/runtime/config.js';
import { kubeConfigFrom, kubernetesConfigSchema } from './config.js';

const kubeconfigYaml = `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: { server: 'https://10.0.0.1:6443' }
users:
- name: collector
  user: { token: abc }
contexts:
- name: lab
  context: { cluster: lab, user: collector }
current-context: lab
`;

function kubeconfigFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-kube-')), 'config');
  writeFileSync(file, kubeconfigYaml);
  return file;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('kubernetes config', () => {
  test('defaults: auto, 5000 ms, no kubeconfig; every variable described', () => {
    expect(loadConfig(kubernetesConfigSchema, {})).toEqual({ VIGIL_KUBERNETES: 'auto', VIGIL_KUBE_TIMEOUT_MS: 5000 });
    for (const { description } of describeConfig(kubernetesConfigSchema)) expect(description).not.toBe('');
    expect(() => loadConfig(kubernetesConfigSchema, { VIGIL_KUBERNETES: 'on' })).toThrow(/VIGIL_KUBERNETES="on"/);
  });

  test.each([
    ['no cluster anywhere', {}, {}, undefined],
    ['off wins over everything', { VIGIL_KUBERNETES: 'off', VIGIL_KUBECONFIG: 'FILE' }, { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, undefined],
    ['VIGIL_KUBECONFIG', { VIGIL_KUBECONFIG: 'FILE' }, {}, 'https://10.0.0.1:6443'],
    ['in a pod', {}, { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, 'https://10.96.0.1:443'],
    ['KUBECONFIG (first of a list)', {}, { KUBECONFIG: `FILE${path.delimiter}/nonexistent` }, 'https://10.0.0.1:6443'],
  ])('%s', async (_name, variables, env, server) => {
    // client-node's loadFromCluster reads the service host and port from process.env itself.
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    const file = kubeconfigFile();
    const config = loadConfig(kubernetesConfigSchema, Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, value.replace('FILE', file)])));
    const resolvedEnv = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replace('FILE', file)]));
    expect((await kubeConfigFrom(config, resolvedEnv))?.getCurrentCluster()?.server).toBe(server);
  });

  test('a kubeconfig that cannot be read is a VIGIL_CONFIG error naming the variable', async () => {
    const config = loadConfig(kubernetesConfigSchema, { VIGIL_KUBECONFIG: '/nonexistent/kubeconfig' });
    await expect(kubeConfigFrom(config, {})).rejects.toThrow(expect.objectContaining({ code: 'VIGIL_CONFIG', message: expect.stringMatching(/^VIGIL_KUBECONFIG=\/nonexistent\/kubeconfig: cannot load/) }));
  });
});
