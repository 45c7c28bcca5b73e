import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollector } from '../collector.js';
import { rootsUnder } from '../collector-setup.js';
import { createHostFiles } from '../host-files.js';
import { defaultSources } from '../sources/default-sources.js';
import { capture } from './capture.js';

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

const live = () => createHostFiles({ procRoot: '/proc', sysRoot: '/sys' });
const sources = () => defaultSources({ topProcesses: 10, pageSizeBytes: 4096 });

describe('capture', () => {
  it("copies exactly what a cycle reads, so collecting from the copies gives what the live machine gave", async () => {
    const out = await mkdtemp(join(tmpdir(), 'vigil-capture-'));
    directories.push(out);
    let now = 1_800_000_000_000;
    const { meta, cycles } = await capture({
      out, intervalSeconds: 2, files: live(), sources: sources(),
      clock: () => now, sleep: async (ms) => { now += ms; await new Promise((resolve) => setTimeout(resolve, 200)); },
      host: 'node-a', kernel: '6.x', vigilVersion: '0.1.0',
      kernelLog: async () => '[    1.000000] Linux version 6.x\n',
      kubernetes: async () => ({ missing: 'no cluster configured' }),
    });

    expect(meta.copies.map((copy) => [copy.directory, copy.timestampMs])).toEqual([['0', 1_800_000_000_000], ['1', 1_800_000_002_000]]);
    expect(meta.copies[0]!.files).toBeGreaterThan(20);
    expect(meta.cgroupVersion).toMatch(/^(v1|v2|hybrid)$/);
    expect(meta.missing).toEqual(['k8s/: no cluster configured']);
    expect(await readFile(join(out, 'dmesg.txt'), 'utf8')).toContain('Linux version');
    expect(JSON.parse(await readFile(join(out, 'meta.json'), 'utf8'))).toEqual(meta);
    expect(await readdir(join(out, '0', 'proc'))).toContain('meminfo');

    // One collector over DIR/0 then DIR/1 at the recorded times reproduces both live cycles, rates included.
    const replayed = sources();
    for (const [index, copy] of meta.copies.entries()) {
      const fromCopy = await createCollector(createHostFiles(rootsUnder(join(out, copy.directory))), replayed).collect(copy.timestampMs);
      expect(fromCopy.batches).toEqual(cycles[index]!.batches);
      expect(fromCopy.problems).toEqual([]);
    }
    const memTotal = cycles[0]!.batches.find((batch) => batch.source === 'proc.meminfo')!.samples.find((sample) => sample.name === 'node_memory_MemTotal_bytes');
    expect(memTotal?.value).toBe(totalmem());
    expect(cycles[1]!.batches.find((batch) => batch.source === 'proc.processes')!.samples.some((sample) => sample.name === 'process_cpu_usage_cores')).toBe(true);
  });

  it('writes the cluster objects when a cluster answers, and says what it could not read', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vigil-capture-'));
    directories.push(out);
    const pods = { kind: 'PodList', apiVersion: 'v1', items: [{ metadata: { name: 'web-0' } }] };
    const { meta } = await capture({
      out, intervalSeconds: 0, files: live(), sources: sources(), clock: Date.now, sleep: async () => undefined,
      host: 'node-a', kernel: '6.x', vigilVersion: '0.1.0',
      kernelLog: async () => ({ missing: 'cannot open /dev/kmsg: EPERM' }),
      kubernetes: async () => ({ pods, events: { kind: 'EventList', items: [] }, nodes: { kind: 'NodeList', items: [] } }),
    });
    expect(JSON.parse(await readFile(join(out, 'k8s', 'pods.json'), 'utf8'))).toEqual(pods);
    expect(await readdir(join(out, 'k8s'))).toEqual(['events.json', 'nodes.json', 'pods.json']);
    expect(meta.missing).toEqual(['dmesg.txt: cannot open /dev/kmsg: EPERM']);
    await expect(readFile(join(out, 'dmesg.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
