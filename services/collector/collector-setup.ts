/**
 * Builds what a collector reads from its config: the host's files, the sources (with pod attribution
 * when a cluster is configured, and Prometheus targets), shared by `vigil run collector`,
 * `vigil collect --once`, `vigil capture` and `vigil replay DIR`.
 */
import type { Logger } from '../../src/runtime/logger.js';
import type { CollectorConfig } from './collector-config.js';
import { createHostFiles, type HostFiles, type HostRoots } from './host-files.js';
import { kernelLogSource, kernelLogSourceFromConfig } from './kernel/kmsg-source.js';
import { attributionFor } from './kubernetes/attribution.js';
import { kubeConfigFrom } from './kubernetes/config.js';
import type { PodDirectory } from './kubernetes/pod-directory.js';
import { scrapeSource, scrapeTargetsOf } from './prometheus/scrape-source.js';
import type { Source } from './source.js';
import { defaultSources } from './sources/default-sources.js';
import { filesystemSource } from './sources/filesystems.js';

export interface CollectorSetup {
  files: HostFiles;
  sources: Source[];
  /** The pods of this node, when a cluster is configured. */
  pods: PodDirectory | undefined;
  close(): Promise<void>;
}

export interface CollectorSetupOptions {
  /** Overrides VIGIL_PROC_ROOT / VIGIL_SYS_ROOT (e.g. `--root DIR`: DIR/proc and DIR/sys). */
  roots?: HostRoots;
  /** Read the Kubernetes API (default true); a capture replayed elsewhere must not ask today's cluster. */
  kubernetes?: boolean;
  /** Scrape the Prometheus targets (default true). */
  scrape?: boolean;
  /** The kernel log to read instead of VIGIL_KMSG: a dmesg file (a capture's dmesg.txt), or false for none. */
  kernelLog?: string | false;
  logger?: Logger;
}

export async function setUpCollector(config: CollectorConfig, options: CollectorSetupOptions = {}): Promise<CollectorSetup> {
  const files = createHostFiles(options.roots ?? { procRoot: config.VIGIL_PROC_ROOT, sysRoot: config.VIGIL_SYS_ROOT });
  const kubeConfig = options.kubernetes === false ? undefined : await kubeConfigFrom(config);
  // Loaded with the cluster only: the pod directory brings @kubernetes/client-node.
  const pods = kubeConfig
    ? (await import('./kubernetes/pod-directory.js')).createPodDirectory({ kubeConfig, nodeName: config.VIGIL_NODE, requestTimeoutMs: config.VIGIL_KUBE_TIMEOUT_MS, logger: options.logger })
    : undefined;
  const kernel = options.kernelLog === false ? undefined
    : options.kernelLog !== undefined ? kernelLogSource({ path: options.kernelLog })
      : kernelLogSourceFromConfig(config);
  const sources: Source[] = [
    ...defaultSources({
      topProcesses: config.VIGIL_TOP_PROCESSES,
      maxCgroups: config.VIGIL_MAX_CGROUPS,
      cgroupAttribution: attributionFor(pods),
    }),
    // statfs is not a file read: a capture cannot carry it, so a copy (options.roots) is read without it.
    ...(options.roots === undefined ? [filesystemSource({ hostRoot: config.VIGIL_ROOTFS })] : []),
    ...(kernel ? [kernel] : []),
    ...(options.scrape === false ? [] : scrapeTargetsOf(config).map((target) => scrapeSource(target))),
  ];
  return { files, sources, pods, close: async () => { await Promise.all([pods?.close(), kernel?.close()]); } };
}

/** `--root DIR` as host roots: DIR/proc and DIR/sys, the layout of a capture's copies. */
export function rootsUnder(directory: string): HostRoots {
  return { procRoot: `${directory.replace(/\/+$/, '')}/proc`, sysRoot: `${directory.replace(/\/+$/, '')}/sys` };
}
