/** The collector's settings: its own, Kubernetes attribution, Prometheus scraping and remote_write, the kernel log. */
import { z } from 'zod';
import { commonConfigSchema } from '../../src/runtime/config.js';
import { kernelLogConfigSchema } from './kernel/kmsg-source.js';
import { kubernetesConfigSchema } from './kubernetes/config.js';
import { prometheusConfigSchema } from './prometheus/scrape-source.js';

export const collectorConfigSchema = commonConfigSchema.extend({
  VIGIL_INTERVAL_MS: z.coerce.number().int().min(100).default(5000).describe('Collection interval in milliseconds'),
  VIGIL_PROC_ROOT: z.string().min(1).default('/proc').describe('Root of the proc filesystem to read (a host mount such as /host/proc in a container)'),
  VIGIL_SYS_ROOT: z.string().min(1).default('/sys').describe('Root of sysfs to read, cgroups included (a host mount such as /host/sys in a container)'),
  VIGIL_TOP_PROCESSES: z.coerce.number().int().min(1).max(500).default(15).describe('How many top processes by each resource go into each process snapshot'),
  VIGIL_ROOTFS: z.string().min(1).default('/').describe('Where the host\'s root filesystem is mounted in this process (/ on the host, e.g. /host/root in a container): filesystem sizes and free inodes are measured through it'),
  VIGIL_MAX_CGROUPS: z.coerce.number().int().min(1).max(100_000).default(1000).describe('Most cgroups published per cycle (the largest by memory when more qualify)'),
  ...kubernetesConfigSchema.shape,
  ...prometheusConfigSchema.shape,
  ...kernelLogConfigSchema.shape,
});

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
